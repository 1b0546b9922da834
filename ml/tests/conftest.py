import mongomock
import pytest

from ml import store as store_module
from ml.store.mongo import MongoAnalyticsStore
from ml.store.relational import RelationalAnalyticsStore


@pytest.fixture(params=["relational", "mongodb"])
def any_store(request, db):
    """Each backend of the contract: the relational store, and pymongo's store on mongomock."""
    if request.param == "relational":
        return RelationalAnalyticsStore()
    return MongoAnalyticsStore(client=mongomock.MongoClient(tz_aware=True), database="analytics_test")


@pytest.fixture
def relational_store(db, monkeypatch):
    """The process store pinned to the relational backend for one test."""
    store = RelationalAnalyticsStore()
    monkeypatch.setattr(store_module, "_store", store)
    return store
