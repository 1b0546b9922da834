"""The payment state machine step by step (any database): claim, in-flight guard, late
approvals on cancelled or already-paid orders, idempotency keys of the providers."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shop.orders.models import Order, Payment, PaymentRefund
from shop.orders.payments.base import charge_idempotency_key, refund_idempotency_key
from shop.orders.payments.test_card import TestCardProvider, card_ledger
from shop.orders.services import order_cancel, order_pay, payment_record_result
from shop.orders.tests.helpers import DECLINED_CARD, OK_CARD, ORDERS, place
from skincare.errors import ApplicationError

pytestmark = pytest.mark.django_db


def unpaid(client, user):
    data, _ = place(client, user, price="20.00", card_number=DECLINED_CARD)
    return Order.objects.get(order_number=data["order_number"])


def test_checkout_charge_uses_the_payment_key_and_the_ledger_matches(auth_client, user):
    data, _ = place(auth_client, user, price="20.00")
    payment = Payment.objects.get(order__order_number=data["order_number"])
    assert card_ledger() == [
        {
            "kind": "charge",
            "idempotency_key": f"charge-{payment.pk}",
            "payment_id": str(payment.pk),
            "order_number": data["order_number"],
            "amount": Decimal("25.50"),
            "status": "completed",
            "transaction_id": payment.provider_transaction_id,
        }
    ]


def test_test_card_provider_honours_idempotency_keys(auth_client, user):
    order = unpaid(auth_client, user)
    payment = order.payments.get()
    provider = TestCardProvider()
    first = provider.charge(payment=payment, data={"card_number": OK_CARD}, idempotency_key="charge-x")
    again = provider.charge(payment=payment, data={"card_number": OK_CARD}, idempotency_key="charge-x")
    other = provider.charge(payment=payment, data={"card_number": OK_CARD}, idempotency_key="charge-y")
    assert again == first
    assert other.transaction_id != first.transaction_id
    refund = provider.refund(payment=payment, amount=Decimal("1.00"), idempotency_key="refund-x")
    assert provider.refund(payment=payment, amount=Decimal("1.00"), idempotency_key="refund-x") == refund
    keys = [(entry["kind"], entry["idempotency_key"]) for entry in card_ledger()]
    assert keys == [
        ("charge", f"charge-{payment.pk}"),  # the declined checkout
        ("charge", "charge-x"),
        ("charge", "charge-y"),
        ("refund", "refund-x"),
    ]


def test_keys_derive_from_the_payment(auth_client, user):
    payment = unpaid(auth_client, user).payments.get()
    assert charge_idempotency_key(payment) == f"charge-{payment.pk}"
    assert refund_idempotency_key(payment, Decimal("5.00")) == f"refund-{payment.pk}-0.00-5.00"


def test_second_pay_while_a_charge_is_in_flight_is_409_without_calling_the_provider(auth_client, user):
    order = unpaid(auth_client, user)
    in_flight = Payment.objects.create(
        order=order, payment_method="card", payment_provider="test", amount=order.total, currency="USD"
    )
    Payment.objects.filter(pk=in_flight.pk).update(status="processing")
    before = len(card_ledger())
    response = auth_client.post(f"{ORDERS}/{order.order_number}/pay", {"card_number": OK_CARD}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "PAYMENT_IN_PROGRESS")
    assert len(card_ledger()) == before
    assert Counter(order.payments.values_list("status", flat=True)) == {"failed": 1, "processing": 1}


def test_one_in_flight_attempt_per_order_is_a_database_rule(auth_client, user):
    order = unpaid(auth_client, user)
    fields = {"order": order, "payment_method": "card", "payment_provider": "test", "amount": order.total}
    Payment.objects.create(currency="USD", status="processing", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(currency="USD", status="processing", **fields)


def test_approval_landing_on_a_cancelled_order_is_recorded_and_refunded(auth_client, user, monkeypatch):
    order = unpaid(auth_client, user)
    # The customer cancels while the provider is still answering the claimed charge.
    original = TestCardProvider.charge

    def charge_then_cancelled(self, **kwargs):
        order_cancel(order=order, by=user)
        return original(self, **kwargs)

    monkeypatch.setattr(TestCardProvider, "charge", charge_then_cancelled)
    order, charge = order_pay(order=order, payment_method="card", payment_data={"card_number": OK_CARD})
    assert charge.failure_message == "The order was cancelled while the card was charged; the charge was refunded."
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    payment = order.payments.get(status="refunded")
    assert (payment.amount, payment.refunded_amount) == (Decimal("25.50"), Decimal("25.50"))
    refund = PaymentRefund.objects.get()
    assert (refund.payment_id, refund.amount, refund.status) == (payment.pk, Decimal("25.50"), "completed")
    assert [(e["kind"], e["status"], e["payment_id"]) for e in card_ledger()[-2:]] == [
        ("charge", "completed", str(payment.pk)),
        ("refund", "completed", str(payment.pk)),
    ]
    user.refresh_from_db()
    assert (user.total_orders, user.total_spent) == (0, Decimal("0.00"))


def test_late_approval_on_an_order_paid_by_another_payment_is_refunded(auth_client, user):
    data, _ = place(auth_client, user, price="20.00")
    order = Order.objects.get(order_number=data["order_number"])
    stray = Payment.objects.create(
        order=order,
        payment_method="card",
        payment_provider="test",
        amount=order.total,
        currency="USD",
        status="failed",
        provider_transaction_id="test_ch_late",
    )
    payment_record_result(payment_id=stray.pk, status_="completed", transaction_id="test_ch_late")
    stray.refresh_from_db()
    order.refresh_from_db()
    assert (stray.status, stray.refunded_amount) == ("refunded", Decimal("25.50"))
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    user.refresh_from_db()
    assert user.total_spent == Decimal("25.50")
    # A repeated delivery of the same verdict changes nothing.
    payment_record_result(payment_id=stray.pk, status_="completed", transaction_id="test_ch_late")
    assert PaymentRefund.objects.filter(payment=stray).count() == 1


def test_pay_after_cancel_is_409_and_charges_nothing(auth_client, user):
    order = unpaid(auth_client, user)
    order_cancel(order=order, by=user)
    before = len(card_ledger())
    with pytest.raises(ApplicationError) as caught:
        order_pay(order=order, payment_method="card", payment_data={"card_number": OK_CARD})
    assert caught.value.error_code == "PAYMENT_NOT_ALLOWED"
    assert len(card_ledger()) == before


def test_failed_automatic_refund_leaves_the_money_visible_for_staff(auth_client, user, monkeypatch):
    from shop.orders.models import RefundStatus
    from shop.orders.payments.base import RefundResult

    order = unpaid(auth_client, user)
    original = TestCardProvider.charge

    def charge_then_cancelled(self, **kwargs):
        order_cancel(order=order, by=user)
        return original(self, **kwargs)

    monkeypatch.setattr(TestCardProvider, "charge", charge_then_cancelled)
    monkeypatch.setattr(
        TestCardProvider,
        "refund",
        lambda self, **kwargs: RefundResult(status=RefundStatus.FAILED, failure_message="Provider down."),
    )
    order, _ = order_pay(order=order, payment_method="card", payment_data={"card_number": OK_CARD})
    assert (order.status, order.payment_status) == ("cancelled", "paid")
    payment = order.payments.get(status="completed")
    assert (payment.refunded_amount, PaymentRefund.objects.count()) == (Decimal("0.00"), 0)
