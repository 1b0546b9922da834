"""An approval of a pending order (checkout's verdict) is recorded by two conditional UPDATEs; every
payment state outside that common case is recorded as the locked path records it, nothing of the
first attempt kept."""

from decimal import Decimal

import pytest

from shop.orders.models import Order, OrderEvent, Payment
from shop.orders.services import payment_record_result
from shop.orders.tests.helpers import DECLINED_CARD, place

pytestmark = pytest.mark.django_db


def _declined_order(client, user):
    """A pending order whose card was declined (payable again), with its events so far."""
    data, _ = place(client, user, price="20.00", card_number=DECLINED_CARD)
    order = Order.objects.get(order_number=data["order_number"])
    assert (order.status, order.payment_status) == ("pending", "failed")
    return order, list(order.events.order_by("pk").values_list("type", flat=True))


def _attempt(order, *, status="processing", transaction_id=""):
    return Payment.objects.create(
        order=order,
        payment_method="card",
        payment_provider="test",
        amount=order.total,
        currency="USD",
        status=status,
        transaction_id=transaction_id,
        provider_response={"before": True},
    )


def test_an_approval_confirms_and_pays_the_order_and_completes_the_payment(auth_client, user):
    order, events = _declined_order(auth_client, user)
    attempt = _attempt(order)

    recorded = payment_record_result(
        payment_id=attempt.pk,
        order_id=order.pk,
        status_="completed",
        transaction_id="test_ch_1",
        response={"outcome": "approved"},
        failure_message="",
    )

    order.refresh_from_db()
    attempt.refresh_from_db()
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert order.paid_at is not None and order.updated_at >= order.paid_at
    assert (attempt.status, attempt.transaction_id, attempt.provider_transaction_id) == (
        "completed",
        "test_ch_1",
        "test_ch_1",
    )
    assert (attempt.provider_response, attempt.failure_message) == ({"outcome": "approved"}, "")
    assert attempt.processed_at is not None and attempt.updated_at >= attempt.processed_at
    new = list(order.events.order_by("pk").values_list("type", "data"))[len(events) :]
    assert new == [
        ("paid", {"amount": "25.50", "provider": "test"}),
        ("status_changed", {"old": "pending", "new": "confirmed"}),
    ]
    # The instance returned is the row as written, with the order it left.
    assert (recorded.pk, recorded.status, recorded.transaction_id) == (attempt.pk, "completed", "test_ch_1")
    assert recorded.provider_response == {"outcome": "approved"}
    assert recorded.refunded_on_record is False
    assert (recorded.locked_order.status, recorded.locked_order.payment_status) == ("confirmed", "paid")
    assert recorded.locked_order.shipping_address == order.shipping_address
    assert recorded.locked_order.total == Decimal("25.50")


def test_an_approval_of_a_settled_payment_leaves_the_pending_order_as_it_was(auth_client, user):
    """The order's conditional UPDATE matched, the payment's did not: the order's change is rolled back."""
    order, events = _declined_order(auth_client, user)
    settled = _attempt(order, status="completed")

    recorded = payment_record_result(
        payment_id=settled.pk, order_id=order.pk, status_="completed", transaction_id="test_ch_again"
    )

    order.refresh_from_db()
    settled.refresh_from_db()
    assert (order.status, order.payment_status, order.paid_at) == ("pending", "failed", None)
    assert (settled.status, settled.transaction_id, settled.provider_response) == ("completed", "", {"before": True})
    assert list(order.events.order_by("pk").values_list("type", flat=True)) == events
    assert recorded.pk == settled.pk


def test_an_approval_keeps_the_payments_first_reference(auth_client, user):
    """A payment with a reference already goes the locked path, which keeps it."""
    order, events = _declined_order(auth_client, user)
    attempt = _attempt(order, transaction_id="test_ch_first")

    payment_record_result(payment_id=attempt.pk, status_="completed", transaction_id="test_ch_second")

    order.refresh_from_db()
    attempt.refresh_from_db()
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert (attempt.status, attempt.transaction_id, attempt.provider_transaction_id) == (
        "completed",
        "test_ch_first",
        "test_ch_second",
    )
    assert [event.type for event in OrderEvent.objects.filter(order=order).order_by("pk")] == [
        *events,
        "paid",
        "status_changed",
    ]
