"""Train / test splits of an interaction table."""

import random

from .data import Interaction, Interactions, _seconds, as_interactions


def time_split(interactions, test_fraction=0.2):
    """A global time cut: the latest ``test_fraction`` of interaction records (by timestamp;
    raw records, so a purchase and a later review of it may fall on either side) are the test
    set. Returns (train Interactions, {user: set of test items})."""
    if isinstance(interactions, Interactions):
        records = list(interactions)
    else:
        records = [r if isinstance(r, Interaction) else Interaction(*_fields(r)) for r in interactions]
    ordered = sorted(records, key=lambda r: r.timestamp)
    cut = int(round(len(ordered) * (1 - test_fraction)))
    train = Interactions(ordered[:cut])
    test = {}
    for r in ordered[cut:]:
        test.setdefault(r.user, set()).add(r.item)
    return train, test


def random_per_user_split(interactions, test_fraction=0.2, seed=0):
    """For each user with two or more items, ``test_fraction`` of them (at least one) at random
    go to the test set. Returns (train Interactions, {user: set of test items})."""
    data = as_interactions(interactions)
    rng = random.Random(seed)
    by_user = {}
    for r in data:
        by_user.setdefault(r.user, []).append(r)
    train, test = [], {}
    for user in data.users:
        rows = by_user[user]
        if len(rows) < 2:
            train.extend(rows)
            continue
        n_test = max(1, int(round(len(rows) * test_fraction)))
        picked = set(rng.sample(range(len(rows)), n_test))
        for n, r in enumerate(rows):
            if n in picked:
                test.setdefault(user, set()).add(r.item)
            else:
                train.append(r)
    return Interactions(train), test


def _fields(record):
    user, item, *rest = record
    weight = float(rest[0]) if rest and rest[0] is not None else 1.0
    return user, item, weight, _seconds(rest[1] if len(rest) > 1 else None)
