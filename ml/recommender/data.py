"""The generic input of the engine: an interaction table (user, item, weight, timestamp).

Plain Python + numpy/scipy; no Django. Ids are any hashable values (ints or strings);
timestamps are numbers (seconds) or ``datetime`` objects (converted to POSIX seconds)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy import sparse


def _seconds(value):
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


@dataclass(frozen=True)
class Interaction:
    user: object
    item: object
    weight: float = 1.0
    timestamp: float = 0.0


class Interactions:
    """An immutable interaction table; duplicates (same user and item) are summed, keeping the
    latest timestamp. ``users`` / ``items`` are the sorted distinct ids (the matrix order)."""

    def __init__(self, records: Iterable):
        merged = {}
        for record in records:
            if isinstance(record, Interaction):
                user, item, weight, ts = record.user, record.item, record.weight, record.timestamp
            else:
                user, item, *rest = record
                weight = float(rest[0]) if len(rest) > 0 and rest[0] is not None else 1.0
                ts = rest[1] if len(rest) > 1 else None
            weight, ts = float(weight), _seconds(ts)
            key = (user, item)
            if key in merged:
                old_weight, old_ts = merged[key]
                merged[key] = (old_weight + weight, max(old_ts, ts))
            else:
                merged[key] = (weight, ts)
        self.records = [Interaction(u, i, w, t) for (u, i), (w, t) in sorted(merged.items(), key=_order)]
        self.users = sorted({r.user for r in self.records}, key=_sort_key)
        self.items = sorted({r.item for r in self.records}, key=_sort_key)

    @classmethod
    def from_csv(cls, path, *, user="user_id", item="item_id", weight="weight", timestamp="timestamp"):
        """Read a CSV with a header; the weight and timestamp columns are optional (1 and 0 when
        the column is absent or the cell empty). Ids stay strings; timestamps are seconds."""
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [
                (row[user], row[item], float(row.get(weight) or 1.0), float(row.get(timestamp) or 0.0))
                for row in csv.DictReader(handle)
            ]
        return cls(rows)

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def seen(self):
        """{user: set of items}."""
        out = {}
        for r in self.records:
            out.setdefault(r.user, set()).add(r.item)
        return out

    def matrix(self, users=None, items=None, *, decay_half_life=None, now=None):
        """A CSR user x item matrix of weights in the order of ``users`` / ``items`` (default: the
        table's own); interactions outside them are left out. With ``decay_half_life`` (seconds)
        each weight is multiplied by 0.5 ** ((now - timestamp) / half_life)."""
        users = self.users if users is None else users
        items = self.items if items is None else items
        user_index = {u: n for n, u in enumerate(users)}
        item_index = {i: n for n, i in enumerate(items)}
        rows, cols, vals = [], [], []
        now = self.latest() if now is None else now
        for r in self.records:
            if r.user in user_index and r.item in item_index:
                weight = r.weight
                if decay_half_life:
                    weight *= 0.5 ** (max(0.0, now - r.timestamp) / decay_half_life)
                rows.append(user_index[r.user])
                cols.append(item_index[r.item])
                vals.append(weight)
        return sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(users), len(items)))

    def latest(self):
        return max((r.timestamp for r in self.records), default=0.0)


def _sort_key(value):
    return (type(value).__name__, value)


def _order(pair):
    (user, item), _ = pair
    return (_sort_key(user), _sort_key(item))


def as_interactions(data) -> Interactions:
    return data if isinstance(data, Interactions) else Interactions(data)
