"""Analytics reads go to the read replica; writes never do (skincare/db_router.py).

The ``replica`` alias here is a second connection to the test database (as a streaming replica would
be a second server with the same rows); which connection runs each query is what is asserted.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from ml.models import AnalyticsDocument, OrderAnalytics
from ml.store import get_store, reset_store
from shop.accounts.models import User
from skincare.db_router import REPLICA_ALIAS

ROUTERS = ["skincare.db_router.AnalyticsReplicaRouter"]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """Declared before each test's database set-up, which must know every alias the test may use."""
    connections.settings[REPLICA_ALIAS] = {**connections["default"].settings_dict}
    yield
    with django_db_blocker.unblock():
        connections[REPLICA_ALIAS].close()
    del connections[REPLICA_ALIAS]
    del connections.settings[REPLICA_ALIAS]


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ROUTERS
    reset_store()
    yield connections[REPLICA_ALIAS]
    reset_store()


pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA_ALIAS])


def _capture():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections[REPLICA_ALIAS])


def test_store_reads_run_on_the_replica_and_writes_on_the_primary(replica):
    store = get_store()
    primary, on_replica = _capture()
    with primary, on_replica:
        store.upsert("performance_metrics", "2026-11-30", {"date": "2026-11-30", "orders": 3})
        store.insert_many("user_analytics", [{"event": "view", "n": 1}, {"event": "view", "n": 2}])
    assert len(primary.captured_queries) >= 2
    assert on_replica.captured_queries == []

    primary, on_replica = _capture()
    with primary, on_replica:
        doc = store.get("performance_metrics", "2026-11-30")
        found = store.find("user_analytics", {"event": "view"}, sort=[("n", 1)])
        counted = store.count("user_analytics", {"event": "view"})
    assert doc == {"date": "2026-11-30", "orders": 3}
    assert [d["n"] for d in found] == [1, 2]
    assert counted == 2
    assert primary.captured_queries == []
    assert len(on_replica.captured_queries) == 3
    assert all("ml_analyticsdocument" in q["sql"] for q in on_replica.captured_queries)


def test_locked_updates_and_reads_inside_a_transaction_stay_on_the_primary(replica):
    store = get_store()
    store.upsert("user_feedback_journey", "7", {"user_id": 7, "steps": []})
    primary, on_replica = _capture()
    with primary, on_replica:
        assert store.push("user_feedback_journey", "7", "steps", [{"step": "review"}]) is True
        with transaction.atomic():
            inside = AnalyticsDocument.objects.get(collection="user_feedback_journey", key="7")
    assert inside.doc["steps"] == [{"step": "review"}]
    assert on_replica.captured_queries == []
    assert any("FOR UPDATE" in q["sql"] or "UPDATE" in q["sql"] for q in primary.captured_queries)


def test_roll_up_tables_read_from_the_replica_other_tables_from_the_primary(replica):
    User.objects.create_user(email="replica@example.com", password="x-long-enough-password")
    primary, on_replica = _capture()
    with primary, on_replica:
        assert list(OrderAnalytics.objects.all()) == []
        assert User.objects.filter(email="replica@example.com").exists()
    assert [q["sql"] for q in on_replica.captured_queries if "ml_orderanalytics" in q["sql"]]
    assert not [q for q in on_replica.captured_queries if "accounts_user" in q["sql"]]
    assert [q for q in primary.captured_queries if "accounts_user" in q["sql"]]
