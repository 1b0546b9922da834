"""The analytics store: MongoDB when ``MONGODB_URL`` is set, else the relational database.

djongo, which the original design named, supports Django <= 3.1 only (every query fails on 5.2);
pymongo behind the ``AnalyticsStore`` interface replaces it.
"""

from django.conf import settings

from ml.store.base import AnalyticsStore, StoreError, iso

__all__ = ["AnalyticsStore", "StoreError", "get_store", "iso", "reset_store"]

_store = None


def _build():
    if settings.MONGODB_URL:
        from ml.store.mongo import MongoAnalyticsStore

        return MongoAnalyticsStore(url=settings.MONGODB_URL, database=settings.MONGODB_DATABASE)
    from ml.store.relational import RelationalAnalyticsStore

    return RelationalAnalyticsStore()


def get_store():
    """The process-wide store (a MongoClient is a connection pool: build it once)."""
    global _store
    if _store is None:
        _store = _build()
    return _store


def reset_store():
    global _store
    _store = None
