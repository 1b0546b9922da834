"""MongoDB backend (pymongo). Keyed documents use the key as ``_id``; ``expires_at`` is a BSON
date with a TTL index (``expireAfterSeconds=0``) on every expiring collection."""

from datetime import UTC, datetime

import pymongo
from pymongo.errors import PyMongoError

from ml.store.base import AnalyticsStore, StoreError, validate_filter
from ml.store.collections import COLLECTIONS, collection

HIDDEN = ("_id", "expires_at")


def _clean(document):
    return {k: v for k, v in document.items() if k not in HIDDEN}


def _ms(value):
    """MongoDB keeps milliseconds."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value else value


class MongoAnalyticsStore(AnalyticsStore):
    backend = "mongodb"

    def __init__(self, *, url=None, database="skincare_analytics", client=None, timeout_ms=2000):
        self.client = client or pymongo.MongoClient(
            url, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        )
        self.db = self.client[database]

    def _coll(self, name):
        return self.db[collection(name).name]

    def _live(self, filters, now=None):
        validate_filter(filters)
        now = now or datetime.now(UTC)
        alive = {"$or": [{"expires_at": {"$exists": False}}, {"expires_at": None}, {"expires_at": {"$gt": now}}]}
        return {"$and": [dict(filters), alive]} if filters else alive

    def _run(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PyMongoError as exc:
            raise StoreError(str(exc)) from exc

    def insert_many(self, collection_name, documents, *, expires_at=None):
        rows = [{**doc, **({"expires_at": _ms(expires_at)} if expires_at else {})} for doc in documents]
        if not rows:
            return 0
        result = self._run(self._coll(collection_name).insert_many, rows, ordered=False)
        return len(result.inserted_ids)

    def upsert(self, collection_name, key, document, *, expires_at=None):
        row = {k: v for k, v in document.items() if k not in HIDDEN}
        if expires_at:
            row["expires_at"] = _ms(expires_at)
        self._run(self._coll(collection_name).replace_one, {"_id": str(key)}, row, upsert=True)

    def get(self, collection_name, key):
        found = self._run(self._coll(collection_name).find_one, self._live({"_id": str(key)}))
        return _clean(found) if found else None

    def push(self, collection_name, key, field, items):
        result = self._run(
            self._coll(collection_name).update_one,
            self._live({"_id": str(key)}),
            {"$push": {field: {"$each": list(items)}}},
        )
        return result.matched_count == 1

    def find(self, collection_name, filters=None, *, sort=None, limit=None):
        cursor = self._coll(collection_name).find(self._live(filters))
        cursor = cursor.sort([*(sort or []), ("_id", 1)])
        if limit:
            cursor = cursor.limit(limit)
        return [_clean(doc) for doc in self._run(list, cursor)]

    def count(self, collection_name, filters=None):
        return self._run(self._coll(collection_name).count_documents, self._live(filters))

    def delete(self, collection_name, filters=None):
        validate_filter(filters)
        return self._run(self._coll(collection_name).delete_many, dict(filters or {})).deleted_count

    def purge_expired(self, *, now=None):
        now = now or datetime.now(UTC)
        total = 0
        for spec in COLLECTIONS.values():
            if spec.expiring:
                total += self._run(self.db[spec.name].delete_many, {"expires_at": {"$lte": now}}).deleted_count
        return total

    def ensure_indexes(self):
        for spec in COLLECTIONS.values():
            coll = self.db[spec.name]
            for keys in spec.indexes:
                self._run(coll.create_index, list(keys))
            if spec.expiring:
                self._run(coll.create_index, [("expires_at", 1)], expireAfterSeconds=0)

    def index_information(self, collection_name):
        return self._coll(collection_name).index_information()

    def ping(self):
        self._run(self.client.admin.command, "ping")
