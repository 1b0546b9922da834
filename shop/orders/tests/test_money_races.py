"""Money races through the API on PostgreSQL: threads (one connection each) hit /pay, /cancel
and the staff refund of the same orders at once. The test card provider's ledger is the
card network's view: every charge and refund it performed, to compare with the shop's rows.
The provider answers after a short sleep, like a real one, so the racers overlap."""

import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from shop.accounts.tests.factories import StaffFactory, UserFactory
from shop.orders.models import Order, Payment, PaymentRefund, PaymentRefundLine
from shop.orders.payments.test_card import TestCardProvider, card_ledger
from shop.orders.tests.helpers import DECLINED_CARD, OK_CARD, ORDERS, place
from shop.testing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises every write)"
    ),
]

ORDERS_PER_TEST = 10
PROVIDER_SECONDS = 0.05


@pytest.fixture(autouse=True)
def _slow_provider(monkeypatch):
    charge, refund = TestCardProvider.charge, TestCardProvider.refund

    def slow_charge(self, **kwargs):
        time.sleep(PROVIDER_SECONDS)
        return charge(self, **kwargs)

    def slow_refund(self, **kwargs):
        time.sleep(PROVIDER_SECONDS)
        return refund(self, **kwargs)

    monkeypatch.setattr(TestCardProvider, "charge", slow_charge)
    monkeypatch.setattr(TestCardProvider, "refund", slow_refund)


def race(requests):
    """Send every ``(user, method, path, body)`` from its own thread and client at the same
    moment; returns ``[(status code, json body)]`` in request order."""

    def sender(user, method, path, body):
        client = APIClient()
        client.force_authenticate(user)

        def send():
            response = getattr(client, method)(path, body, format="json")
            return (response.status_code, response.json())

        return send

    return at_once([sender(*request) for request in requests], failed=lambda exc: (599, {"exception": repr(exc)}))


def unpaid_order(client, user):
    """A pending order whose card was declined at checkout (so ``/pay`` may retry it)."""
    data, _ = place(client, user, price="20.00", card_number=DECLINED_CARD)
    assert (data["status"], data["payment_status"]) == ("pending", "failed")
    return data["order_number"]


def paid_order(client, user):
    data, _ = place(client, user, price="20.00")
    assert (data["status"], data["payment_status"]) == ("confirmed", "paid")
    return data["order_number"]


def shoppers(make_order):
    result = []
    for _ in range(ORDERS_PER_TEST):
        user = UserFactory()
        client = APIClient()
        client.force_authenticate(user)
        result.append((user, make_order(client, user)))
    return result


def approved_charges(order_number):
    return [
        entry
        for entry in card_ledger()
        if entry["kind"] == "charge" and entry["order_number"] == order_number and entry["status"] == "completed"
    ]


def refunds(order_number):
    return [entry for entry in card_ledger() if entry["kind"] == "refund" and entry["order_number"] == order_number]


def assert_every_charge_has_its_payment_row():
    for entry in card_ledger():
        if entry["kind"] == "charge":
            payment = Payment.objects.get(pk=entry["payment_id"])
            assert payment.order.order_number == entry["order_number"]
            assert payment.provider_transaction_id == entry["transaction_id"]


def test_three_parallel_pays_charge_the_card_once():
    orders = shoppers(unpaid_order)
    requests = [
        (user, "post", f"{ORDERS}/{number}/pay", {"card_number": OK_CARD}) for user, number in orders for _ in range(3)
    ]
    answers = race(requests)

    assert all(code < 500 for code, _ in answers), answers
    for index, (_, number) in enumerate(orders):
        mine = answers[index * 3 : index * 3 + 3]
        assert sorted(code for code, _ in mine) == [200, 409, 409], mine
        assert {body["code"] for code, body in mine if code == 409} <= {"PAYMENT_IN_PROGRESS", "PAYMENT_NOT_ALLOWED"}
        ok = next(body["data"] for code, body in mine if code == 200)
        assert (ok["status"], ok["payment_status"]) == ("confirmed", "paid")
        assert len(approved_charges(number)) == 1
        assert refunds(number) == []
        order = Order.objects.get(order_number=number)
        assert (order.status, order.payment_status) == ("confirmed", "paid")
        statuses = Counter(order.payments.values_list("status", flat=True))
        assert statuses == {"failed": 1, "completed": 1}
    assert_every_charge_has_its_payment_row()


def test_pay_racing_cancel_never_keeps_the_money():
    orders = shoppers(unpaid_order)
    requests = []
    for user, number in orders:
        requests.append((user, "post", f"{ORDERS}/{number}/pay", {"card_number": OK_CARD}))
        requests.append((user, "post", f"{ORDERS}/{number}/cancel", {}))
    answers = race(requests)

    assert all(code < 500 for code, _ in answers), answers
    for index, (_, number) in enumerate(orders):
        (pay_code, pay_body), (cancel_code, cancel_body) = answers[index * 2], answers[index * 2 + 1]
        order = Order.objects.get(order_number=number)
        # Cancel is allowed on a pending or a paid (confirmed) order: it always wins in the end.
        assert cancel_code == 200, cancel_body
        assert order.status == "cancelled"
        charges = approved_charges(number)
        if pay_code == 409:
            assert pay_body["code"] == "PAYMENT_NOT_ALLOWED"  # cancelled before the claim
            assert charges == []
        else:
            assert pay_code == 200, pay_body
            assert len(charges) == 1
            # The pay answer says what it committed: paid (cancel came after) or refunded.
            assert pay_body["data"]["payment_status"] in ("paid", "refunded")
        returned = refunds(number)
        assert [(r["payment_id"], r["amount"]) for r in returned] == [
            (c["payment_id"], Decimal("25.50")) for c in charges
        ]
        assert order.payment_status == ("refunded" if charges else "failed")
        assert PaymentRefund.objects.filter(payment__order=order).count() == len(charges)
        assert not order.payments.filter(status__in=["processing", "completed"]).exists()
    assert_every_charge_has_its_payment_row()


def test_cancel_racing_a_staff_refund_answers_what_was_committed():
    orders = shoppers(paid_order)
    staff = StaffFactory()
    requests = []
    for user, number in orders:
        requests.append((user, "post", f"{ORDERS}/{number}/cancel", {}))
        requests.append((staff, "post", f"/api/v1/staff/orders/{number}/refunds", {"full": True}))
    answers = race(requests)

    assert all(code < 500 for code, _ in answers), answers
    for index, (_, number) in enumerate(orders):
        (cancel_code, cancel_body), (refund_code, refund_body) = answers[index * 2], answers[index * 2 + 1]
        order = Order.objects.get(order_number=number)
        if cancel_code == 200:
            assert (order.status, cancel_body["data"]["status"]) == ("cancelled", "cancelled")
            assert (refund_code, refund_body["code"]) == (409, "REFUND_NOT_ALLOWED")
        else:
            assert (cancel_code, cancel_body["code"]) == (409, "ORDER_NOT_CANCELLABLE")
            assert refund_code == 201, refund_body
            assert order.status == "refunded"
        assert order.payment_status == "refunded"
        assert [r["amount"] for r in refunds(number)] == [Decimal("25.50")]
        assert PaymentRefund.objects.filter(payment__order=order).count() == 1


def test_parallel_line_refunds_never_refund_a_unit_twice():
    orders = shoppers(paid_order)  # one line of 1 x 20.00 each
    staff = StaffFactory()
    requests = []
    for _, number in orders:
        item_id = Order.objects.get(order_number=number).items.get().pk
        body = {"lines": [{"item_id": item_id, "quantity": 1}], "reason": "broken"}
        requests += [(staff, "post", f"/api/v1/staff/orders/{number}/refunds", body)] * 2
    answers = race(requests)

    assert all(code < 500 for code, _ in answers), answers
    for index, (_, number) in enumerate(orders):
        pair = sorted(answers[index * 2 : index * 2 + 2], key=lambda answer: answer[0])
        assert pair[0][0] == 201, pair
        assert (pair[1][0], pair[1][1]["code"]) == (400, "REFUND_LINES_INVALID")
        assert [r["amount"] for r in refunds(number)] == [Decimal("22.00")]  # 20.00 + 10 % tax
        order = Order.objects.get(order_number=number)
        assert PaymentRefundLine.objects.filter(order_item__order=order).count() == 1
        product = order.items.get().product
        product.refresh_from_db()
        assert product.stock_quantity == 100  # the one unit came back once
