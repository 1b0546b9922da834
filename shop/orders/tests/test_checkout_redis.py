"""A checkout's Redis round trips: its after-commit cache writes go in one pipeline when its batch ends
(``skincare.deferred.redis_after_commit``), the test card keeps its answer and ledger entry in one script call."""

import pytest
from django.core.cache import cache

from shop.cart.cache import cart_lines_cached
from shop.cart.tests.factories import ProductFactory
from shop.catalog import cache as catalog_cache
from shop.orders.payments.test_card import card_ledger
from shop.orders.tests.helpers import OK_CARD, checkout, fill_cart
from skincare import deferred
from skincare.testing import round_trips

pytestmark = pytest.mark.skipif(deferred.redis_connection() is None, reason="counts Redis round trips")


@pytest.mark.django_db(transaction=True)
def test_a_checkouts_after_commit_writes_leave_in_one_pipeline_and_leave_no_cache_stale(auth_client, user, monkeypatch):
    product = ProductFactory(stock_quantity=5)
    cart = fill_cart(user, (product, 2))
    details = [catalog_cache.product_detail_key(product.pk), catalog_cache.product_rendered_key(product.pk)]
    cache.set_many(dict.fromkeys(details, "cached before the checkout"))
    assert [row[3] for row in cart_lines_cached(cart.pk)] == [2]  # cached
    assert auth_client.get("/api/v1/orders").json()["data"] == []  # cached
    sends = []
    send = deferred._redis_send
    monkeypatch.setattr(deferred, "_redis_send", lambda items: (sends.append(len(items)), send(items)))

    response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    # The cart's version, the product's cached detail, the purchase event, the order list's version and (Celery is
    # eager here: the notices are written in the request, and the refresh runs at once, not through the pending
    # set) the notification list's version: one pipeline, sent once. Neither list's version is written before.
    assert sends == [5]
    assert cart_lines_cached(cart.pk) == []
    assert cache.get_many(details) == {}  # the stock changed: dropped
    assert [order["order_number"] for order in auth_client.get("/api/v1/orders").json()["data"]] == [
        response.json()["data"]["order_number"]
    ]


def test_the_test_card_keeps_its_answer_and_ledger_entry_in_one_round_trip():
    from shop.orders.payments.test_card import TestCardProvider

    provider = TestCardProvider()
    # the script loaded (another test may have flushed Redis's scripts: then EVALSHA, SCRIPT LOAD, EVALSHA once)
    provider.charge(payment=None, data={"card_number": OK_CARD}, idempotency_key="rd15-warm")
    before = len(card_ledger())
    trips, counting = round_trips()
    with counting:
        first = provider.charge(payment=None, data={"card_number": OK_CARD}, idempotency_key="rd15-once")
        assert len(trips) == 1
        again = provider.charge(payment=None, data={"card_number": OK_CARD}, idempotency_key="rd15-once")
        assert len(trips) == 2
    assert again == first  # the answer kept first, repeated
    ledger = card_ledger()
    assert len(ledger) == before + 1  # the replay is not logged again
    assert ledger[-1] == {
        "kind": "charge",
        "idempotency_key": "rd15-once",
        "payment_id": "",
        "order_number": "",
        "amount": None,
        "status": first.status,
        "transaction_id": first.transaction_id,
    }
    assert 0 < cache.ttl("test-card:ledger:count") <= 24 * 3600
    cache.delete("test-card:charge:rd15-once")


@pytest.fixture
def with_broker(monkeypatch, settings):
    """A broker (kombu's in-memory transport), the drain on and its trigger already sent by this process: the
    checkout's tasks are one ``DeferredBatch`` row, as in production."""
    from kombu import pools

    from skincare.celery import app

    def reset():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "memory://")
    settings.DEFERRED_DRAIN_SECONDS = 60.0
    monkeypatch.setattr(deferred, "_drain_due", float("inf"))
    reset()
    yield
    reset()


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_checkout_is_three_redis_round_trips_and_writes_no_list_version_before_its_commits(
    with_broker, auth_client, user
):
    """The throttle's script, the test card's script and the after-commit pipeline: the order list's version is
    replaced once, in that pipeline, not also when the order is written and when it is paid."""
    fill_cart(user, (ProductFactory(stock_quantity=5), 1))
    assert auth_client.get("/api/v1/orders").json()["data"] == []  # cached
    trips, counting = round_trips()

    with counting:
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    sent = [b"".join(trip) if isinstance(trip, list) else trip for trip in trips]
    assert len(sent) == 3, sent
    assert [b"userpages:orders:v:" in trip for trip in sent] == [False, False, True]
    assert b"test-card:charge:" in sent[1]
    assert [order["order_number"] for order in auth_client.get("/api/v1/orders").json()["data"]] == [
        response.json()["data"]["order_number"]
    ]
