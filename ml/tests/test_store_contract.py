"""One contract, both backends (``any_store``: relational, and pymongo on mongomock)."""

from datetime import UTC, datetime, timedelta

import mongomock
import pytest

from ml.models import AnalyticsDocument
from ml.store import iso
from ml.store.collections import COLLECTIONS
from ml.store.mongo import MongoAnalyticsStore


def _search(query, normalized, count, timestamp, device):
    return {
        "search_query": query,
        "normalized_query": normalized,
        "results_count": count,
        "timestamp": timestamp,
        "device_info": {"device_type": device},
    }


def _searches():
    return [
        _search("Vitamin C", "vitamin c", 4, "2026-01-02T10:00:00.000Z", "mobile"),
        _search("retinol", "retinol", 0, "2026-01-01T09:00:00.000Z", "desktop"),
        _search("SPF", "spf", 12, "2026-01-03T08:00:00.000Z", "mobile"),
    ]


def test_insert_many_then_find_returns_the_documents_as_written(any_store):
    assert any_store.insert_many("search_analytics", _searches()) == 3

    found = any_store.find("search_analytics", sort=[("timestamp", 1)])

    assert [doc["normalized_query"] for doc in found] == ["retinol", "vitamin c", "spf"]
    assert found[1] == _searches()[0]


def test_find_filters_by_equality_nested_field_and_operators(any_store):
    any_store.insert_many("search_analytics", _searches())

    def queries(filters, **kwargs):
        return [d["normalized_query"] for d in any_store.find("search_analytics", filters, **kwargs)]

    assert queries({"results_count": 0}) == ["retinol"]
    assert queries({"device_info.device_type": "mobile"}, sort=[("timestamp", -1)]) == ["spf", "vitamin c"]
    assert queries({"results_count": {"$gt": 0, "$lte": 12}}, sort=[("results_count", 1)]) == ["vitamin c", "spf"]
    assert queries({"timestamp": {"$gte": "2026-01-02T00:00:00.000Z"}}, sort=[("timestamp", 1)]) == ["vitamin c", "spf"]
    assert queries({"normalized_query": {"$in": ["spf", "retinol"]}}, sort=[("timestamp", 1)]) == ["retinol", "spf"]
    assert queries({"normalized_query": {"$ne": "spf"}}, sort=[("timestamp", 1)]) == ["retinol", "vitamin c"]
    assert queries({}, sort=[("results_count", -1)], limit=2) == ["spf", "vitamin c"]
    assert any_store.count("search_analytics", {"device_info.device_type": "mobile"}) == 2


def test_collections_are_separate(any_store):
    any_store.insert_many("search_analytics", _searches())

    assert any_store.find("user_analytics") == []
    assert any_store.count("search_analytics") == 3


def test_upsert_replaces_the_document_under_its_key(any_store):
    any_store.upsert("performance_metrics", "2026-01-01", {"date": "2026-01-01", "metrics": {"total_orders": 1}})
    any_store.upsert("performance_metrics", "2026-01-01", {"date": "2026-01-01", "metrics": {"total_orders": 2}})
    any_store.upsert("performance_metrics", "2026-01-02", {"date": "2026-01-02", "metrics": {"total_orders": 5}})

    assert any_store.count("performance_metrics") == 2
    assert any_store.get("performance_metrics", "2026-01-01") == {"date": "2026-01-01", "metrics": {"total_orders": 2}}
    assert any_store.get("performance_metrics", "2026-01-03") is None


def test_upsert_many_is_idempotent(any_store):
    docs = [(f"p{i}", {"product_id": i, "feedback_summary": {"avg_rating": i}}) for i in range(1, 4)]

    assert any_store.upsert_many("feedback_analytics", docs) == 3
    assert any_store.upsert_many("feedback_analytics", docs) == 3

    found = any_store.find("feedback_analytics", sort=[("feedback_summary.avg_rating", -1)])
    assert [doc["product_id"] for doc in found] == [3, 2, 1]


def test_push_appends_to_a_list_of_the_keyed_document(any_store):
    any_store.upsert("search_analytics", "s1", {"search_query": "spf", "clicked_products": []})

    assert any_store.push("search_analytics", "s1", "clicked_products", [{"product_id": 7, "position": 2}]) is True
    assert any_store.push("search_analytics", "s1", "clicked_products", [{"product_id": 9, "position": 1}]) is True
    assert any_store.push("search_analytics", "missing", "clicked_products", [{"product_id": 1}]) is False
    assert any_store.push("search_analytics", "s1", "conversion_data.added_to_cart", [7]) is True
    assert any_store.push("search_analytics", "s1", "conversion_data.added_to_cart", [9]) is True

    assert any_store.get("search_analytics", "s1")["clicked_products"] == [
        {"product_id": 7, "position": 2},
        {"product_id": 9, "position": 1},
    ]
    assert any_store.get("search_analytics", "s1")["conversion_data"] == {"added_to_cart": [7, 9]}


def test_delete_removes_matching_documents_only(any_store):
    any_store.insert_many("search_analytics", _searches())

    assert any_store.delete("search_analytics", {"results_count": {"$lt": 5}}) == 2
    assert [d["normalized_query"] for d in any_store.find("search_analytics")] == ["spf"]


def test_expired_documents_are_invisible_and_purged(any_store):
    past = datetime.now(UTC) - timedelta(minutes=1)
    future = datetime.now(UTC) + timedelta(days=1)
    any_store.insert_many("user_analytics", [{"session_id": "old"}], expires_at=past)
    any_store.insert_many("user_analytics", [{"session_id": "new"}], expires_at=future)
    any_store.upsert("user_feedback_journey", "u1", {"user_id": 1}, expires_at=past)

    assert [d["session_id"] for d in any_store.find("user_analytics")] == ["new"]
    assert any_store.count("user_analytics") == 1
    assert any_store.get("user_feedback_journey", "u1") is None

    assert any_store.purge_expired() == 2
    assert any_store.purge_expired() == 0
    assert any_store.count("user_analytics") == 1


def test_unknown_collection_and_operator_are_refused(any_store):
    with pytest.raises(ValueError):
        any_store.insert_many("not_a_collection", [{"a": 1}])
    with pytest.raises(ValueError):
        any_store.find("search_analytics", {"results_count": {"$where": "1"}})


def test_ensure_indexes_is_idempotent(any_store):
    any_store.ensure_indexes()
    any_store.ensure_indexes()
    any_store.ping()


def test_iso_writes_utc_milliseconds():
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    assert iso(moment) == "2026-01-02T03:04:05.678Z"
    assert iso(moment.date()) == "2026-01-02"


def test_mongo_indexes_follow_the_seeds_with_ttl_on_expiring_collections():
    store = MongoAnalyticsStore(client=mongomock.MongoClient(tz_aware=True), database="idx")

    store.ensure_indexes()

    stream = store.index_information("feedback_stream")
    assert [("event_data.product_id", 1), ("timestamp", -1)] in [info["key"] for info in stream.values()]
    for name, spec in COLLECTIONS.items():
        info = store.index_information(name)
        ttl = [i for i in info.values() if i["key"] == [("expires_at", 1)]]
        assert bool(ttl) == spec.expiring, name
        if spec.expiring:
            assert ttl[0]["expireAfterSeconds"] == 0
        assert len(info) == 1 + len(spec.indexes) + int(spec.expiring), name


def test_purge_task_ensures_mongo_indexes(monkeypatch, db):
    from ml import store as store_module
    from ml.tasks import purge_expired

    store = MongoAnalyticsStore(client=mongomock.MongoClient(tz_aware=True), database="task")
    monkeypatch.setattr(store_module, "_store", store)

    purge_expired.delay().get()

    assert any(i.get("expireAfterSeconds") == 0 for i in store.index_information("user_analytics").values())


def test_purge_task_deletes_expired_relational_documents(relational_store):
    from ml.tasks import purge_expired

    relational_store.insert_many("user_analytics", [{"a": 1}], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    relational_store.insert_many("user_analytics", [{"a": 2}], expires_at=datetime.now(UTC) + timedelta(days=1))

    assert purge_expired.delay().get() == 1
    assert AnalyticsDocument.objects.count() == 1


def test_ensure_indexes_command(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("analytics_ensure_indexes", stdout=out)

    assert out.getvalue().strip() == "relational: indexes of 13 collections ensured (6 with a TTL)."


TRICKY = {"q": 'say "hi" \\ back\\slash', "km": "ស្រែម", "nested": {"list": [1, None, True, 2.5]}, "empty": ""}


@pytest.mark.parametrize("bulk_sql", [True, False], ids=["one-json-statement", "bulk-create"])
def test_relational_bulk_writes_keep_documents_order_and_expiry(relational_store, django_assert_num_queries,
                                                               monkeypatch, bulk_sql):  # fmt: skip
    """On PostgreSQL a batch is one statement fed by one JSON parameter (``_insert_json``); other
    databases keep ``bulk_create``. Both store the documents exactly, in order, with their expiry."""
    from ml.store import relational

    if not bulk_sql:
        monkeypatch.setattr(relational, "_bulk_sql", lambda: False)
    expires = datetime.now(UTC) + timedelta(days=3)
    documents = [{**TRICKY, "n": n} for n in range(5)]

    with django_assert_num_queries(1):
        assert relational_store.insert_many("user_analytics", documents, expires_at=expires) == 5
    with django_assert_num_queries(1):
        assert relational_store.upsert_many("search_analytics", [("a", {"v": 1}), ("b", {"v": 2}), ("a", {"v": 3})],
                                            expires_at=expires) == 2  # fmt: skip
    later = expires + timedelta(days=1)
    relational_store.upsert_many("search_analytics", [("b", {**TRICKY, "v": 4})], expires_at=later)
    assert relational_store.insert_many("user_analytics", []) == 0
    assert relational_store.upsert_many("search_analytics", []) == 0

    rows = list(AnalyticsDocument.objects.filter(collection="user_analytics").order_by("pk"))
    assert [row.doc for row in rows] == documents
    assert {(row.key, row.expires_at) for row in rows} == {(None, expires)}
    assert all(row.created_at is not None for row in rows)
    keyed = {row.key: row for row in AnalyticsDocument.objects.filter(collection="search_analytics")}
    assert {key: row.doc for key, row in keyed.items()} == {"a": {"v": 3}, "b": {**TRICKY, "v": 4}}
    assert (keyed["a"].expires_at, keyed["b"].expires_at) == (expires, later)
    assert relational_store.get("search_analytics", "b") == {**TRICKY, "v": 4}
