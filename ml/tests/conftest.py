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


@pytest.fixture
def search_batched(settings):
    """Search events batched by 3 in this process (``services.search_batch``; the clock never pushes during a
    test). What still waits at the end is pushed to the buffer, which the next test clears."""
    from ml import services

    settings.ANALYTICS_SEARCH_BATCH, settings.ANALYTICS_SEARCH_BATCH_SECONDS = 3, 3600
    yield
    services.search_batch.flush()
