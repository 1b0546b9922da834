import json
import logging

import pytest

from feedback.models import ModerationItem
from feedback.services import moderation_approve
from ml import buffer, services, tracking
from ml import store as store_module
from ml.models import AnalyticsDocument
from ml.store import StoreError
from ml.store.relational import RelationalAnalyticsStore
from shop.cart.tests.factories import ProductFactory
from shop.orders.models import Order
from shop.orders.tests.helpers import checkout as checkout_request
from shop.orders.tests.helpers import fill_cart, place
from skincare import deferred

EVENTS = "/api/v1/analytics/events"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"  # noqa: E501
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"  # noqa: E501
)


@pytest.fixture(autouse=True)
def _relational(relational_store):
    return relational_store


def post(client, events, **extra):
    return client.post(EVENTS, {"events": events}, format="json", **extra)


def stored(collection):
    return list(AnalyticsDocument.objects.filter(collection=collection).order_by("pk").values_list("doc", flat=True))


def test_anonymous_batch_is_buffered_then_flushed_with_device_info_and_truncated_ip(api_client):
    response = post(
        api_client,
        [
            {"type": "page_view", "session_id": "s-1", "page_url": "/"},
            {"type": "product_view", "session_id": "s-1", "product_id": 7, "duration_seconds": 12},
        ],
        HTTP_USER_AGENT=IPHONE,
        REMOTE_ADDR="203.0.113.77",
    )

    assert response.status_code == 202
    assert response.json() == {"status": "success", "data": {"accepted": 2}}
    assert buffer.length() == 2
    assert stored("user_analytics") == []

    assert services.events_flush() == (2, 0)

    [doc] = stored("user_analytics")
    assert doc["user_id"] is None
    assert doc["session_id"] == "s-1"
    assert [(e["event_type"], e["source"]) for e in doc["events"]] == [
        ("page_view", "client"),
        ("product_view", "client"),
    ]
    assert doc["events"][1]["event_data"]["product_id"] == 7
    assert doc["events"][1]["event_data"]["duration_seconds"] == 12
    assert {k: doc["device_info"][k] for k in ("ip_address", "device_type", "browser", "os")} == {
        "ip_address": "203.0.113.0/24",
        "device_type": "mobile",
        "browser": "Safari",
        "os": "iOS",
    }
    assert "203.0.113.77" not in json.dumps(list(AnalyticsDocument.objects.values_list("doc", flat=True)))
    assert buffer.length() == 0


def test_signed_in_events_carry_the_user(auth_client, user):
    post(auth_client, [{"type": "wishlist_add", "session_id": "s-2", "product_id": 3}])
    services.events_flush()

    assert stored("user_analytics")[0]["user_id"] == user.pk


def test_per_item_errors_and_nothing_buffered(api_client):
    response = post(
        api_client,
        [
            {"type": "page_view", "session_id": "s-1", "page_url": "/"},
            {"type": "cart_add", "session_id": "s-1"},
            {"type": "search", "session_id": "s 1", "query": "spf", "product_id": 4},
            {"type": "teleport", "session_id": "s-1"},
            {"type": "page_view", "session_id": "s-1", "page_url": "/", "ip": "1.2.3.4"},
        ],
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    errors = body["errors"]["events"]  # keyed by the position of each invalid event
    assert set(errors) == {"1", "2", "3", "4"}
    assert errors["1"] == {"product_id": ["This field is required for this event type."]}
    assert set(errors["2"]) == {"session_id"}
    assert set(errors["3"]) == {"type"}
    assert errors["4"] == {"ip": ["Unknown field."]}
    assert buffer.length() == 0


def test_field_not_allowed_for_the_type_is_refused(api_client):
    response = post(api_client, [{"type": "search", "session_id": "s-1", "query": "spf", "product_id": 4}])

    assert response.status_code == 400
    assert response.json()["errors"]["events"]["0"] == {"product_id": ["Not allowed for this event type."]}


@pytest.mark.parametrize(
    "body",
    [{"events": "page_view"}, {"events": ["page_view"]}, {"events": [None]}, {}, {"events": [{"type": ["x"]}]}],
)
def test_malformed_bodies_are_400(api_client, body):
    response = api_client.post(EVENTS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert buffer.length() == 0


def test_one_flush_is_queued_at_a_time(api_client, settings, monkeypatch, run_on_commit):
    settings.ANALYTICS_FLUSH_SIZE = 1
    queued = []
    monkeypatch.setattr("ml.tasks.flush_events.delay", lambda: queued.append(1))
    event = [{"type": "page_view", "session_id": "s", "page_url": "/"}]

    post(api_client, event)
    post(api_client, event)
    assert len(queued) == 1

    services.events_flush()
    post(api_client, event)
    assert len(queued) == 2


@pytest.mark.parametrize("count, status", [(0, 400), (100, 202), (101, 400)])
def test_batch_holds_1_to_100_events(api_client, count, status):
    events = [{"type": "page_view", "session_id": "s", "page_url": f"/p/{i}"} for i in range(count)]

    assert post(api_client, events).status_code == status
    assert buffer.length() == (count if status == 202 else 0)


def test_events_are_throttled_by_the_analytics_scope(api_client, throttle_rates):
    throttle_rates(analytics="2/min")
    event = [{"type": "page_view", "session_id": "s", "page_url": "/"}]

    assert [post(api_client, event).status_code for _ in range(3)] == [202, 202, 429]
    assert post(api_client, event).json()["code"] == "THROTTLED"


def test_a_full_buffer_flushes_at_once(api_client, settings, run_on_commit):
    settings.ANALYTICS_FLUSH_SIZE = 3
    post(api_client, [{"type": "page_view", "session_id": "s", "page_url": "/a"}] * 2)
    assert stored("user_analytics") == []

    post(api_client, [{"type": "page_view", "session_id": "s", "page_url": "/b"}])

    assert len(stored("user_analytics")[0]["events"]) == 3
    assert buffer.length() == 0


@pytest.mark.parametrize(
    "user_agent, expected",
    [
        (IPHONE, ("mobile", "Safari", "iOS")),
        (WINDOWS_CHROME, ("desktop", "Chrome", "Windows")),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
            ("tablet", "Chrome", "Android"),
        ),  # noqa: E501
        (
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/124.0 Safari/537.36 Edg/124.0",
            ("desktop", "Edge", "Windows"),
        ),  # noqa: E501
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", ("bot", "other", "other")),
        ("", ("unknown", "unknown", "unknown")),
    ],
)
def test_device_info_from_the_user_agent(rf, user_agent, expected):
    info = tracking.device_info(rf.get("/", HTTP_USER_AGENT=user_agent))

    assert (info["device_type"], info["browser"], info["os"]) == expected


@pytest.mark.parametrize(
    "address, network",
    [("198.51.100.23", "198.51.100.0/24"), ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::/48"), ("x", "")],
)
def test_ip_is_truncated_to_its_network(address, network):
    assert tracking.truncate_ip(address) == network


def test_control_characters_never_reach_the_store(rf):
    request = rf.get("/", HTTP_USER_AGENT="Mozilla\x00/5.0\n(iPhone)", HTTP_X_SESSION_ID="bad\x00id")

    assert tracking.device_info(request)["user_agent"] == "Mozilla/5.0(iPhone)"
    assert tracking.session_header(request) == ""
    assert tracking.session_header(rf.get("/", HTTP_X_SESSION_ID="sess-9")) == "sess-9"


def test_search_is_recorded_by_the_server_with_clicks_and_conversions(auth_client, user, run_on_commit):
    wanted = ProductFactory(name="Vitamin C Serum")
    ProductFactory(name="Vitamin C Cream")
    ProductFactory(name="Night Oil")

    response = auth_client.get("/api/v1/products/search/", {"q": "  Vitamin   C "}, HTTP_X_SESSION_ID="sess-9")
    search_id = response["X-Search-Id"]
    assert auth_client.get("/api/v1/products/search/", {"q": "vitamin", "page": 2}).has_header("X-Search-Id") is False
    post(
        auth_client,
        [
            {
                "type": "product_view",
                "session_id": "sess-9",
                "product_id": wanted.pk,
                "search_id": search_id,
                "position": 2,
            },  # noqa: E501
            {"type": "cart_add", "session_id": "sess-9", "product_id": wanted.pk, "search_id": search_id},
        ],
    )
    services.events_flush()
    fill_cart(user, (wanted, 1))
    assert checkout_request(auth_client, user).status_code == 201
    services.events_flush()

    [search] = stored("search_analytics")
    assert search["search_query"] == "  Vitamin   C "
    assert search["normalized_query"] == "vitamin c"
    assert search["results_count"] == 2
    assert search["session_id"] == "sess-9"
    assert search["user_id"] == user.pk
    assert [(c["product_id"], c["position"]) for c in search["clicked_products"]] == [(wanted.pk, 2)]
    assert search["conversion_data"] == {"added_to_cart": [wanted.pk], "purchased": [wanted.pk]}


def test_anonymous_search_is_recorded_with_its_filters(api_client):
    ProductFactory(name="Vitamin C Serum", skin_types=["dry"])

    response = api_client.get("/api/v1/products/search/", {"q": "VITAMIN c", "skin_type": "oily"})
    services.events_flush()

    [search] = stored("search_analytics")
    assert search["search_id"] == response["X-Search-Id"]
    assert (search["search_query"], search["normalized_query"]) == ("VITAMIN c", "vitamin c")
    assert search["filters_applied"] == {"skin_type": ["oily"]}
    assert (search["user_id"], search["results_count"], search["session_id"]) == (None, 0, "")


def test_search_fields_are_bounded(rf):
    from django.contrib.auth.models import AnonymousUser

    from ml.receivers import on_search_performed

    request = rf.get("/")
    request.user = AnonymousUser()
    on_search_performed(
        sender=None, request=request, search_id="s1", query="q" * 500, filters={"brand": ["b" * 500] * 50},
        results_count=3,
    )  # fmt: skip
    services.events_flush()

    [search] = stored("search_analytics")
    assert (len(search["search_query"]), len(search["normalized_query"])) == (200, 200)
    assert [len(v) for v in search["filters_applied"]["brand"]] == [200] * 20


def test_purchase_is_recorded_on_order_placement(auth_client, user, run_on_commit):
    data, product = place(auth_client, user, price="12.50", quantity=2)
    services.events_flush()

    [doc] = stored("user_analytics")
    [event] = doc["events"]
    assert (event["event_type"], event["source"], doc["user_id"]) == ("purchase", "server", user.pk)
    assert event["event_data"]["product_ids"] == [product.pk]
    assert event["event_data"]["items"] == [{"product_id": product.pk, "quantity": 2, "total_price": "25.00"}]
    assert event["event_data"]["order_id"] == Order.objects.get(order_number=data["order_number"]).pk


def test_review_is_recorded_on_approval(auth_client, user, staff_user, run_on_commit):
    product = ProductFactory()
    response = auth_client.post(
        f"/api/v1/products/{product.pk}/reviews",
        {"rating": 4, "title": "Works", "review_text": "This cures acne better than my prescription."},
        format="json",
    )
    review_id = response.json()["data"]["id"]
    services.events_flush()
    assert stored("user_analytics") == []

    moderation_approve(item=ModerationItem.objects.get(content_type="review", content_id=review_id), by=staff_user)
    services.events_flush()

    [event] = stored("user_analytics")[0]["events"]
    assert event["event_type"] == "review_written"
    assert event["event_data"]["review_id"] == review_id
    assert event["event_data"]["rating"] == 4


class BrokenStore(RelationalAnalyticsStore):
    def insert_many(self, *args, **kwargs):
        raise StoreError("connection refused")


def test_a_store_outage_never_fails_checkout(auth_client, user, settings, monkeypatch, run_on_commit, caplog):
    settings.ANALYTICS_FLUSH_SIZE = 1
    monkeypatch.setattr(store_module, "_store", BrokenStore())

    with caplog.at_level(logging.WARNING, logger="ml.services"):
        place(auth_client, user)

    assert "Analytics store unavailable, 1 events dropped: connection refused" in caplog.text
    # only the buyer's rebuilt recommendations (written by upsert, which this fake leaves working)
    assert list(AnalyticsDocument.objects.values_list("collection", flat=True)) == ["product_recommendations"]
    assert buffer.length() == 0


def test_a_buffer_outage_never_fails_checkout(auth_client, user, monkeypatch, run_on_commit, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis down")

    class Down:  # the after-commit writes' pipeline (``skincare.deferred.redis_after_commit``) with Redis
        def pipeline(self, **kwargs):
            raise ConnectionError("redis down")

    monkeypatch.setattr(buffer, "push", refuse)
    if deferred.redis_connection() is not None:
        monkeypatch.setattr(deferred, "redis_connection", Down)

    with caplog.at_level(logging.WARNING, logger="ml.services"):
        place(auth_client, user)

    # Nothing lost: the purchase went to the store without the buffer (the Redis-outage drill found
    # events dropped here before).
    assert "Analytics buffer unavailable (redis down): 1 events written to the store directly" in caplog.text
    streams = list(AnalyticsDocument.objects.filter(collection="user_analytics").values_list("doc", flat=True))
    assert [event["event_type"] for doc in streams for event in doc["events"]] == ["purchase"]


# --- A search's event, pushed with this process's batch (ml.buffer.ProcessBatch) ---------------------

SEARCH = "/api/v1/products/search/"


def searched(client, q="vitamin", **headers):
    response = client.get(SEARCH, {"q": q}, **headers)
    assert response.status_code in (200, 304, 429)
    return response


def test_searches_are_pushed_by_batch_and_recorded_exactly_once(api_client, search_batched):
    from shop.catalog.cache import invalidate_product_lists

    ProductFactory(name="Vitamin C Serum")
    ProductFactory(name="Vitamin C Cream")
    invalidate_product_lists()

    ids = [searched(api_client)["X-Search-Id"] for _ in range(2)]  # built, then from the cache
    assert buffer.length() == 0  # waiting in this process's batch
    ids.append(searched(api_client)["X-Search-Id"])
    assert buffer.length() == 3  # the third filled the batch: one push
    ProductFactory(name="Vitamin C Toner")
    invalidate_product_lists()
    ids += [searched(api_client)["X-Search-Id"] for _ in range(2)]
    assert buffer.length() == 3
    services.events_flush()  # this process's batch first, then the buffer

    counts = {doc["search_id"]: doc["results_count"] for doc in stored("search_analytics")}
    assert len(set(ids)) == 5
    assert counts == dict(zip(ids, [2, 2, 2, 3, 3], strict=True))
    assert [len(doc["events"]) for doc in stored("user_analytics")] == [5]
    assert buffer.length() == 0


@pytest.mark.parametrize("batched", [False, True])
def test_revalidated_and_refused_searches_record_nothing(api_client, throttle_rates, request, batched):
    if batched:
        request.getfixturevalue("search_batched")
    throttle_rates(anon="4/min")
    ProductFactory(name="Vitamin C Serum")
    first = searched(api_client)
    searched(api_client)  # from the cache

    assert searched(api_client, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert searched(api_client).status_code == 200  # the 4th request of the window
    assert searched(api_client).status_code == 429
    services.search_batch.flush()
    assert buffer.length() == 3


def test_a_full_buffer_queues_one_flush_from_a_batch(api_client, search_batched, settings, monkeypatch, run_on_commit):
    settings.ANALYTICS_FLUSH_SIZE = 5
    queued = []
    monkeypatch.setattr("ml.tasks.flush_events.delay", lambda: queued.append(1))
    ProductFactory(name="Vitamin C Serum")

    for _ in range(6):
        searched(api_client)  # pushed by 3: the buffer holds 3, then 6
    assert (buffer.length(), len(queued)) == (6, 1)
    for _ in range(3):
        searched(api_client)  # the flag is set: no second flush
    assert (buffer.length(), len(queued)) == (9, 1)

    assert services.events_flush() == (9, 0)
    for _ in range(6):
        searched(api_client)
    assert len(queued) == 2
