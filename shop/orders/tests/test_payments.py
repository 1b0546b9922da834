import json
import re
from decimal import Decimal

import pytest

from shop.cart.tests.factories import ProductFactory
from shop.orders.models import Payment
from shop.orders.payments.stripe import SignatureError, sign_payload, verify_signature
from shop.orders.payments.test_card import TestCardProvider, luhn_ok
from shop.orders.tests.helpers import checkout, fill_cart

SECRET = "whsec_test_secret"
WEBHOOK = "/api/v1/payments/stripe/webhook"


def test_luhn():
    assert luhn_ok("4242424242424242")
    assert not luhn_ok("4242424242424241")


@pytest.mark.parametrize(
    "number,status",
    [
        ("4242424242424242", "completed"),
        ("4000000000000002", "failed"),
        ("4000000000009995", "failed"),
        ("1234", "failed"),
    ],
)
def test_test_card_outcomes(number, status):
    result = TestCardProvider().charge(payment=None, data={"card_number": number}, idempotency_key=f"k-{number}")
    assert result.status == status


def test_signature_round_trip_and_rejections():
    payload = b'{"id": "evt_1", "type": "payment_intent.succeeded"}'
    header = sign_payload(payload=payload, secret=SECRET, timestamp=1_700_000_000)
    assert verify_signature(payload=payload, header=header, secret=SECRET, now=1_700_000_100)["id"] == "evt_1"
    with pytest.raises(SignatureError):
        verify_signature(payload=payload + b" ", header=header, secret=SECRET, now=1_700_000_100)
    with pytest.raises(SignatureError):
        verify_signature(payload=payload, header=header, secret="other", now=1_700_000_100)
    with pytest.raises(SignatureError):
        verify_signature(payload=payload, header=header, secret=SECRET, now=1_700_000_000 + 301)
    with pytest.raises(SignatureError):
        verify_signature(payload=payload, header="garbage", secret=SECRET)


@pytest.mark.django_db
def test_stripe_checkout_and_webhook(auth_client, user, settings, monkeypatch, api_client):
    from shop.orders.payments import stripe as stripe_module

    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    calls = []

    def fake_post(path, params, *, idempotency_key):
        calls.append((path, params["amount"], idempotency_key))
        return {"id": "pi_123", "status": "requires_payment_method", "client_secret": "pi_123_secret"}

    monkeypatch.setattr(stripe_module, "_post", fake_post)
    fill_cart(user, (ProductFactory(price=Decimal("20.00")), 1))
    data = checkout(auth_client, user).json()["data"]
    assert (data["status"], data["payment_status"], data["client_secret"]) == ("pending", "pending", "pi_123_secret")
    assert calls == [("payment_intents", 2550, f"charge-{Payment.objects.get().pk}")]

    event = {
        "id": "evt_1",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_123", "status": "succeeded"}},
    }
    body = json.dumps(event).encode()
    bad = api_client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=bad")
    assert (bad.status_code, bad.json()["code"]) == (400, "WEBHOOK_SIGNATURE_INVALID")
    header = sign_payload(payload=body, secret=SECRET)
    for _ in range(2):  # Stripe retries: the second delivery changes nothing
        response = api_client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 200
    order = auth_client.get(f"/api/v1/orders/{data['order_number']}").json()["data"]
    assert (order["status"], order["payment_status"]) == ("confirmed", "paid")
    assert Payment.objects.get().status == "completed"


@pytest.mark.django_db
def test_stripe_success_after_the_order_was_cancelled_is_refunded(auth_client, user, settings, monkeypatch, api_client):
    from shop.orders.payments import stripe as stripe_module

    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    calls = []

    def fake_post(path, params, *, idempotency_key):
        calls.append((path, params["amount"], idempotency_key))
        if path == "refunds":
            return {"id": "re_1", "status": "succeeded"}
        return {"id": "pi_9", "status": "requires_payment_method", "client_secret": "pi_9_secret"}

    monkeypatch.setattr(stripe_module, "_post", fake_post)
    fill_cart(user, (ProductFactory(price=Decimal("20.00")), 1))
    number = checkout(auth_client, user).json()["data"]["order_number"]
    # Cancelled while the intent waits for the shopper's confirmation: the payment stays in flight.
    body = auth_client.post(f"/api/v1/orders/{number}/cancel", {}, format="json").json()["data"]
    assert (body["status"], body["payment_status"], body["payments"][0]["status"]) == (
        "cancelled",
        "pending",
        "processing",
    )
    event = {"id": "evt_9", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_9"}}}
    payload = json.dumps(event).encode()
    header = sign_payload(payload=payload, secret=SECRET)
    for _ in range(2):  # a repeated delivery refunds nothing twice
        response = api_client.post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 200
    payment = Payment.objects.get()
    assert calls == [
        ("payment_intents", 2550, f"charge-{payment.pk}"),
        ("refunds", 2550, f"refund-{payment.pk}-0.00-25.50"),
    ]
    assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("25.50"))
    order = auth_client.get(f"/api/v1/orders/{number}").json()["data"]
    assert (order["status"], order["payment_status"]) == ("cancelled", "refunded")


@pytest.mark.django_db
def test_recording_a_charge_writes_only_the_verdicts_columns(auth_client, user, settings):
    """``payment_record_result`` updates the columns the provider's verdict sets, and they hold it; the
    rest of the row (the amounts, the order) is not written again by that UPDATE. Read from its text, so not
    prepared here (``DB_PREPARED_STATEMENTS`` runs the same text as an ``EXECUTE``: test_checkout_inserts.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DB_PREPARED_STATEMENTS = False

    product = ProductFactory(price=Decimal("20.00"), stock_quantity=5)
    fill_cart(user, (product, 1))
    with CaptureQueriesContext(connection) as queries:
        response = checkout(auth_client, user, payment_method="card", card_number="4242424242424242")
    assert response.status_code == 201
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "orders_payment"')]
    assert len(updates) == 1
    columns = sorted(re.findall(r'(?:SET |, )"(\w+)" = ', updates[0].split(" WHERE ")[0]))
    assert columns == sorted(
        [
            "status",
            "transaction_id",
            "provider_transaction_id",
            "provider_response",
            "failure_message",
            "processed_at",
            "updated_at",
        ]
    )
    payment = Payment.objects.get()
    assert payment.status == "completed"
    assert payment.transaction_id.startswith("test_")
    assert payment.provider_transaction_id == payment.transaction_id
    assert payment.processed_at is not None
    assert payment.updated_at >= payment.processed_at
    assert payment.amount == Decimal(response.json()["data"]["total"])
    assert payment.refunded_amount == Decimal("0.00")
