"""The server's search event, composed from pieces (``ml.receivers.search_event_encoded``), is the event the
old builder made: ``services.event_build`` of the receiver's fields, encoded by ``buffer.encode``. Compared
field by field and byte for byte, directly and as recorded by the search API (built and cached answers)."""

import ipaddress
import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from ml import buffer, receivers, services, tracking
from shop.cart.tests.factories import ProductFactory
from shop.catalog.cache import invalidate_product_lists

SEARCH = "/api/v1/products/search/"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"  # noqa: E501
)
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def old_truncate_ip(address):
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


def old_event(request, *, search_id, query, filters, results_count, stamp):
    """What the receiver recorded before (d9aac3c), with ``stamp`` as its time."""
    user = getattr(request, "user", None)
    user_agent = re.sub(r"[\x00-\x1f\x7f]", "", request.META.get("HTTP_USER_AGENT", ""))[:300]
    kind, browser, os = tracking._user_agent_facts(user_agent)
    event = services.event_build(
        source="server",
        event_type="search",
        data={
            "search_id": search_id,
            "query": query[:200],
            "normalized_query": " ".join(query.split()).casefold()[:200],
            "filters": {name: [value[:200] for value in values[:20]] for name, values in filters.items()},
            "results_count": results_count,
        },
        user_id=user.pk if user is not None and user.is_authenticated else None,
        session_id=tracking.session_header(request),
        device_info={
            "user_agent": user_agent,
            "ip_address": old_truncate_ip(BaseThrottle().get_ident(request)),
            "device_type": kind,
            "browser": browser,
            "os": os,
        },
    )
    event["received_at"] = event["event_data"]["timestamp"] = stamp
    return event


def assert_same(recorded, old):
    """Field by field (so a failure names the field), then the buffer item byte for byte."""
    assert STAMP.match(recorded["received_at"])
    assert recorded["event_data"]["timestamp"] == recorded["received_at"]
    assert list(recorded) == list(old)
    for field in old:
        if isinstance(old[field], dict):
            assert list(recorded[field]) == list(old[field]), field
            for name in old[field]:
                assert recorded[field][name] == old[field][name], f"{field}.{name}"
        assert recorded[field] == old[field], field
    assert buffer.encode([recorded]) == buffer.encode([old])


CASES = [
    ({"HTTP_USER_AGENT": ANDROID, "HTTP_X_SESSION_ID": "sess-9", "REMOTE_ADDR": "198.51.100.23"}, "  Vitamin   C ", {}),
    ({"REMOTE_ADDR": "2001:db8:85a3:8d3:1319:8a2e:370:7348"}, "Crème « été » 日本", {"skin_type": ["oily", "dry"]}),
    ({"HTTP_USER_AGENT": 'Bot "quoted"\\\x07', "HTTP_X_SESSION_ID": "bad id", "REMOTE_ADDR": "10.0.0.255"}, "q" * 500,
     {"brand": ["b" * 500] * 50, "min_price": ["5"]}),
    ({"REMOTE_ADDR": "not-an-address", "HTTP_X_SESSION_ID": "sess-1\n"}, "serum", {"category": ["toners"]}),
]  # fmt: skip


@pytest.mark.parametrize("meta, query, filters", CASES)
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_composed_event_is_the_old_builders_event(rf, user, meta, query, filters, signed_in):
    request = rf.get(SEARCH, **meta)
    request.user = user if signed_in else AnonymousUser()

    for results_count in (3, 0, 3):  # the query's part is memoised per results count
        fields = {"search_id": "5f0c", "query": query, "filters": filters, "results_count": results_count}
        encoded = receivers.search_event_encoded(request=request, **fields)
        recorded = json.loads(encoded)

        assert_same(recorded, old_event(request, **fields, stamp=recorded["received_at"]))
        assert encoded == buffer.encode([recorded])[0]
        assert recorded["user_id"] == (user.pk if signed_in else None)


def test_a_wrong_field_is_named(rf):
    request = rf.get(SEARCH, REMOTE_ADDR="198.51.100.23")
    request.user = AnonymousUser()
    fields = {"search_id": "s1", "query": "serum", "filters": {}, "results_count": 1}
    recorded = json.loads(receivers.search_event_encoded(request=request, **fields))
    old = old_event(request, **fields, stamp=recorded["received_at"])
    old["device_info"]["ip_address"] = "198.51.0.0/16"

    with pytest.raises(AssertionError, match="device_info.ip_address"):
        assert_same(recorded, old)


def test_searches_through_the_api_record_the_old_builders_events_once_each(auth_client, user, search_batched):
    ProductFactory(name="Vitamin C Serum", skin_types=["dry"])
    ProductFactory(name="Vitamin C Cream")
    invalidate_product_lists()
    cache.delete(buffer.KEY)
    meta = {"HTTP_USER_AGENT": ANDROID, "HTTP_X_SESSION_ID": "sess-4", "REMOTE_ADDR": "203.0.113.77"}
    asked = [("vitamin", {}), ("vitamin", {}), ("Vitamin  C", {"skin_type": ["dry"]}), ("vitamin", {})]

    ids, totals = [], []
    for query, filters in asked:  # built, cached, built, cached
        response = auth_client.get(SEARCH, {"q": query, **filters}, **meta)
        assert response.status_code == 200
        ids.append(response["X-Search-Id"])
        totals.append(response.json()["meta"]["total"])
    assert buffer.length() == 3  # one batch pushed, one event waiting
    services.search_batch.flush()
    recorded = buffer.drain(100)

    assert [event["event_data"]["search_id"] for event in recorded] == ids
    assert totals[0] == 2
    request = auth_client.get(SEARCH, {"q": "x"}, **meta).wsgi_request
    request.user = user
    for event, search_id, (query, filters), count in zip(recorded, ids, asked, totals, strict=True):
        old = old_event(
            request, search_id=search_id, query=query, filters=filters, results_count=count,
            stamp=event["received_at"],
        )  # fmt: skip
        assert_same(event, old)
