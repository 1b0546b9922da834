"""A checkout whose order committed but whose charge answer was never recorded.

In the database-down and disk-full drills (docs/operations.md) one checkout committed its order, the
provider answered, and the database refused the statement that records the answer: the shopper got a
503 and the order stayed ``pending`` with its charge attempt ``processing`` for ever (``/pay`` answers
409 while an attempt is in flight, and the unpaid-order expiry skipped it). Here the database "goes
away" the same way: every statement is refused from the moment the provider has answered.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from shop.cart.tests.factories import ProductFactory
from shop.orders.models import Order, OrderStatus, Payment, PaymentRecordStatus, PaymentStatus
from shop.orders.payments.test_card import TestCardProvider, card_ledger
from shop.orders.tasks import orders_expire_unpaid_task
from shop.orders.tests.helpers import ORDERS, checkout, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def refuse(execute, sql, params, many, context):
    """A database that went away. The test's own savepoints still pass, so the test can read
    what was committed before (a stopped server keeps that too)."""
    if sql.startswith(TRANSACTION_CONTROL):
        return execute(sql, params, many, context)
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_gone(monkeypatch):
    """``database_gone(after_charge=True)``: the database goes away once the provider has answered
    (approved, not recorded); ``after_charge=False``: before the provider is asked (nothing charged).
    It comes back when the response is out (``back()``) and at the end of the test."""
    original = TestCardProvider.charge

    def arm(*, after_charge):
        def charge(self, **kwargs):
            if not after_charge:
                connection.execute_wrappers.append(refuse)
                raise OperationalError("server closed the connection unexpectedly")
            result = original(self, **kwargs)
            connection.execute_wrappers.append(refuse)
            return result

        monkeypatch.setattr(TestCardProvider, "charge", charge)

    def back():
        while refuse in connection.execute_wrappers:
            connection.execute_wrappers.remove(refuse)
        monkeypatch.setattr(TestCardProvider, "charge", original)

    arm.back = back
    yield arm
    back()


@pytest.fixture
def later(monkeypatch):
    """``later(minutes)``: ``timezone.now()`` that many minutes from now."""
    start = timezone.now()

    def move(minutes):
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=minutes))

    return move


def _checkout_answering_503(client, user, database_gone, *, after_charge, key="retry-1", **payload):
    product = ProductFactory(price=D("25.00"), stock_quantity=3)
    fill_cart(user, (product, 2))
    database_gone(after_charge=after_charge)
    client.raise_request_exception = False
    response = checkout(client, user, key=key, **payload)
    database_gone.back()
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30"
    order = Order.objects.get()
    payment = order.payments.get()
    assert (order.status, order.payment_status, payment.status) == (
        OrderStatus.PENDING,
        PaymentStatus.PENDING,
        PaymentRecordStatus.PROCESSING,
    )
    return order, product


def _charges():
    return [(entry["status"], entry["payment_id"]) for entry in card_ledger() if entry["kind"] == "charge"]


def test_a_retry_with_the_same_key_answers_the_saved_order_and_its_charge_without_charging_again(
    auth_client, user, database_gone, later
):
    order, product = _checkout_answering_503(auth_client, user, database_gone, after_charge=True)
    payment = order.payments.get()
    assert _charges() == [("completed", str(payment.pk))]

    # At once: the first request might still be talking to the provider, so its attempt is left to it.
    at_once = checkout(auth_client, user, key="retry-1")
    assert at_once.status_code == 200
    assert at_once["Idempotent-Replayed"] == "true"
    data = at_once.json()["data"]
    assert (data["order_number"], data["status"], data["payment_status"]) == (order.order_number, "pending", "pending")

    # Two minutes on, the attempt's answer is lost: the retry asks the provider again with the
    # attempt's own key, which repeats its first answer, and records it.
    later(3)
    retry = checkout(auth_client, user, key="retry-1")
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    data = retry.json()["data"]
    assert (data["order_number"], data["status"], data["payment_status"]) == (
        order.order_number,
        "confirmed",
        "paid",
    )
    assert "payment_error" not in data
    assert (Order.objects.count(), Payment.objects.count()) == (1, 1)
    assert _charges() == [("completed", str(payment.pk))]  # one charge, asked twice
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id != "") == (PaymentRecordStatus.COMPLETED, True)
    product.refresh_from_db()
    assert product.stock_quantity == 1

    # A third retry changes nothing.
    again = checkout(auth_client, user, key="retry-1")
    assert (again.status_code, again.json()["data"]["payment_status"]) == (200, "paid")
    assert _charges() == [("completed", str(payment.pk))]


def test_the_expiry_task_records_a_lost_approval_and_keeps_the_paid_order(
    auth_client, user, database_gone, later, settings
):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 60
    order, product = _checkout_answering_503(auth_client, user, database_gone, after_charge=True)

    later(1)  # too fresh: its own request may still record it
    assert orders_expire_unpaid_task.apply().get() == []
    assert order.payments.get().status == PaymentRecordStatus.PROCESSING

    later(6)
    assert orders_expire_unpaid_task.apply().get() == []
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.CONFIRMED, PaymentStatus.PAID)
    later(120)
    assert orders_expire_unpaid_task.apply().get() == []  # paid: never expired
    product.refresh_from_db()
    assert product.stock_quantity == 1
    assert len(_charges()) == 1


def test_the_expiry_task_cancels_an_order_whose_charge_never_happened_and_returns_its_stock(
    auth_client, user, database_gone, later, settings
):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 60
    order, product = _checkout_answering_503(auth_client, user, database_gone, after_charge=False)
    product.refresh_from_db()
    assert product.stock_quantity == 1
    assert _charges() == []

    later(59)
    assert orders_expire_unpaid_task.apply().get() == []
    order.refresh_from_db()
    payment = order.payments.get()
    assert (order.status, order.payment_status, payment.status) == (
        OrderStatus.PENDING,
        PaymentStatus.FAILED,
        PaymentRecordStatus.FAILED,
    )
    assert payment.failure_message == "The payment was not completed."
    # The key is now answered "failed": a late call of the lost request cannot charge.
    assert _charges() == [("failed", str(payment.pk))]

    later(61)
    assert orders_expire_unpaid_task.apply().get() == [order.order_number]
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert (product.stock_quantity, product.sales_count) == (3, 0)
    assert [entry["status"] for entry in card_ledger()] == ["failed"]


def test_a_charge_answered_and_recorded_is_never_asked_again(auth_client, user, later):
    product = ProductFactory(price=D("25.00"), stock_quantity=3)
    fill_cart(user, (product, 1))
    assert checkout(auth_client, user, key="ok-1", card_number="4000000000000002").status_code == 201
    ledger = card_ledger()
    later(10)
    assert orders_expire_unpaid_task.apply().get() == []
    replay = checkout(auth_client, user, key="ok-1")
    assert (replay.status_code, replay.json()["data"]["payment_status"]) == (200, "failed")
    assert card_ledger() == ledger


def _pay(client, order, card_number="4242424242424242"):
    return client.post(
        f"{ORDERS}/{order.order_number}/pay", {"payment_method": "card", "card_number": card_number}, format="json"
    )


def test_pay_again_on_a_lost_approval_answers_the_order_paid_without_charging_again(
    auth_client, user, database_gone, later
):
    order, product = _checkout_answering_503(auth_client, user, database_gone, after_charge=True)
    payment = order.payments.get()

    later(3)
    paid = _pay(auth_client, order, card_number="5555555555554444")
    assert paid.status_code == 200, paid.content
    data = paid.json()["data"]
    assert (data["order_number"], data["status"], data["payment_status"]) == (order.order_number, "confirmed", "paid")
    assert "payment_error" not in data
    assert (Order.objects.count(), Payment.objects.count()) == (1, 1)
    assert _charges() == [("completed", str(payment.pk))]  # the lost charge, asked again: no second one
    product.refresh_from_db()
    assert product.stock_quantity == 1

    again = _pay(auth_client, order)
    assert (again.status_code, again.json()["code"]) == (409, "PAYMENT_NOT_ALLOWED")
    assert _charges() == [("completed", str(payment.pk))]


def test_pay_again_on_a_lost_decline_records_it_and_charges_the_new_card(auth_client, user, database_gone, later):
    order, _ = _checkout_answering_503(
        auth_client, user, database_gone, after_charge=True, card_number="4000000000000002"
    )
    lost = order.payments.get()
    assert _charges() == [("failed", str(lost.pk))]

    later(3)
    paid = _pay(auth_client, order)
    assert paid.status_code == 200, paid.content
    data = paid.json()["data"]
    assert (data["status"], data["payment_status"]) == ("confirmed", "paid")
    lost.refresh_from_db()
    assert (lost.status, lost.failure_message) == (PaymentRecordStatus.FAILED, "Your card was declined.")
    new = order.payments.exclude(pk=lost.pk).get()
    assert new.status == PaymentRecordStatus.COMPLETED
    assert _charges() == [("failed", str(lost.pk)), ("completed", str(new.pk))]


def test_pay_again_while_the_attempt_may_still_be_answered_is_a_409(auth_client, user, database_gone, later):
    order, _ = _checkout_answering_503(auth_client, user, database_gone, after_charge=True)
    payment = order.payments.get()

    later(1)  # younger than CHARGE_ANSWER_LOST_AFTER: its own request may still record it
    response = _pay(auth_client, order)
    assert (response.status_code, response.json()["code"]) == (409, "PAYMENT_IN_PROGRESS")
    payment.refresh_from_db()
    assert payment.status == PaymentRecordStatus.PROCESSING
    assert _charges() == [("completed", str(payment.pk))]
