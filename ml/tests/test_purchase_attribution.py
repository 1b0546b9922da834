"""A purchase counts for the latest search of its buyer, within 30 days before it, that put the product in
the cart; a flush attributes all its purchases with one read of the searches (``services._PurchaseSearches``).
Both backends (``any_store``: relational, and pymongo's store on mongomock)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ml import services

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _event(event_type, data, *, user_id, at, source="server"):
    return services.event_build(event_type=event_type, data=data, user_id=user_id, session_id="sess",
                                device_info={}, source=source, occurred_at=at)  # fmt: skip


def _search(search_id, user_id, at):
    data = {"search_id": search_id, "query": search_id, "normalized_query": search_id, "results_count": 3}
    return _event("search", data, user_id=user_id, at=at)


def _cart_add(search_id, product_id, user_id, at):
    data = {"search_id": search_id, "product_id": product_id}
    return _event("cart_add", data, user_id=user_id, at=at, source="client")


def _purchase(order_id, product_ids, user_id, at):
    return _event("purchase", {"order_id": order_id, "product_ids": product_ids}, user_id=user_id, at=at)


def _conversions(store):
    documents = store.find("search_analytics", {})
    return {doc["search_id"]: doc["conversion_data"] for doc in documents}


def test_purchases_of_a_batch_go_to_each_buyers_latest_search_in_their_window(any_store):
    """Earlier flushes wrote the history; the batch under test adds a search, puts products in carts before
    and after its purchases, and has buyers with and without searches, and an anonymous purchase."""
    services.events_write(store=any_store, events=[
        _search("a-old", 1, T0 - 40 * DAY), _cart_add("a-old", 1, 1, T0 - 40 * DAY),
        _search("a1", 1, T0 - 10 * DAY), _cart_add("a1", 1, 1, T0 - 10 * DAY), _cart_add("a1", 2, 1, T0 - 10 * DAY),
        _search("a2", 1, T0 - 5 * DAY), _cart_add("a2", 2, 1, T0 - 5 * DAY),
        _search("a-late", 1, T0 + HOUR), _cart_add("a-late", 1, 1, T0 + HOUR),
        _search("b1", 2, T0 - 3 * DAY), _cart_add("b1", 1, 2, T0 - 3 * DAY),
        _search("anon", None, T0 - DAY), _cart_add("anon", 1, None, T0 - DAY),
    ])  # fmt: skip

    services.events_write(store=any_store, events=[
        _search("a3", 1, T0 - 2 * DAY),
        _cart_add("a3", 3, 1, T0 - 2 * DAY),  # in the batch, before the purchase: counts
        _purchase(10, [1, 2, 3, 4], 1, T0),  # 1 -> a1 (a-old is too old, a-late is later), 2 -> a2, 3 -> a3, 4 none
        _cart_add("a1", 4, 1, T0 + HOUR),  # after that purchase: counts only for the next one
        _purchase(11, [4, 1], 1, T0 + 2 * HOUR),  # 4 -> a1, 1 -> a-late (now the latest with 1)
        _purchase(12, [1], 2, T0),  # another buyer: b1
        _purchase(13, [1], None, T0),  # anonymous: never attributed
        _purchase(14, [1, 2], 3, T0),  # a buyer without searches
    ])  # fmt: skip

    assert _conversions(any_store) == {
        "a-old": {"added_to_cart": [1], "purchased": []},
        "a1": {"added_to_cart": [1, 2, 4], "purchased": [1, 4]},
        "a2": {"added_to_cart": [2], "purchased": [2]},
        "a3": {"added_to_cart": [3], "purchased": [3]},
        "a-late": {"added_to_cart": [1], "purchased": [1]},
        "b1": {"added_to_cart": [1], "purchased": [1]},
        "anon": {"added_to_cart": [1], "purchased": []},
    }


def test_a_batch_of_purchases_reads_the_searches_once(relational_store, django_assert_num_queries):
    """One statement for the sessions' documents and one read of the searches, whatever the number of
    purchases (it was one read per purchase: 500 reads for a full buffer of checkouts)."""
    services.events_write(store=relational_store, events=[_search("s1", 1, T0 - DAY)])
    purchases = [_purchase(order_id, [7], order_id, T0) for order_id in range(1, 21)]

    with django_assert_num_queries(2):
        services.events_write(store=relational_store, events=purchases)

    assert _conversions(relational_store) == {"s1": {"added_to_cart": [], "purchased": []}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's partial expression index")
def test_the_buyers_searches_are_read_through_their_index_not_every_search(relational_store):
    """The read of a flush's buyers' searches walks ``ml_doc_search_user`` (buyer, time), so its cost follows
    the buyers' searches, not every search of the retention window (a scan of 31,682 to find 2 took 35 ms on
    a benchmark database; docs/performance.md, session 19)."""
    from ml.models import AnalyticsDocument

    others = [_search(f"o{n}", 1000 + n % 300, T0 - (n % 20) * HOUR) for n in range(3000)]
    services.events_write(store=relational_store, events=[*others, _search("mine", 7, T0 - DAY)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AnalyticsDocument._meta.db_table}")
    searches = services._PurchaseSearches(relational_store, [_purchase(1, [5], 7, T0)])

    with CaptureQueriesContext(connection) as queries:
        found = searches.for_purchase(searches.purchases[0])

    assert [search["search_id"] for search in found] == ["mine"]
    [read] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {read['sql']}")
        plan = json.dumps(cursor.fetchone()[0])
    assert '"Index Name": "ml_doc_search_user"' in plan, plan
