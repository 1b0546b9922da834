"""Expiry racing a payment on PostgreSQL: a charge in flight is never cancelled under it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from shop.orders import services
from shop.orders.models import Order
from shop.orders.tests.helpers import OK_CARD, ORDERS
from shop.orders.tests.test_money_races import (  # noqa: F401 - _slow_provider is an autouse fixture
    _slow_provider,
    approved_charges,
    assert_every_charge_has_its_payment_row,
    refunds,
    shoppers,
    unpaid_order,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises every write)"
    ),
]


def test_expiry_racing_pay_either_cancels_before_the_claim_or_leaves_the_order_paid(settings):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 30
    orders = shoppers(unpaid_order)
    # Far enough ahead that even the racing payment attempt counts as old: only the
    # ``processing`` / settled payment may keep the order alive.
    later = timezone.now() + timedelta(minutes=90)
    barrier = threading.Barrier(len(orders) * 2)
    pays, expired = {}, {}

    def pay(user, number):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(f"{ORDERS}/{number}/pay", {"card_number": OK_CARD}, format="json")
            pays[number] = (response.status_code, response.json())
        finally:
            connections.close_all()

    def expire(number):
        try:
            order = Order.objects.get(order_number=number)
            barrier.wait()
            expired[number] = services.order_expire_unpaid(order=order, now=later)
        finally:
            connections.close_all()

    threads = []
    for user, number in orders:
        threads.append(threading.Thread(target=pay, args=(user, number)))
        threads.append(threading.Thread(target=expire, args=(number,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for _, number in orders:
        order = Order.objects.get(order_number=number)
        code, body = pays[number]
        if expired[number]:
            assert (code, body["code"]) == (409, "PAYMENT_NOT_ALLOWED")
            assert (order.status, order.payment_status) == ("cancelled", "failed")
            assert approved_charges(number) == []
        else:
            assert code == 200, body
            assert (order.status, order.payment_status) == ("confirmed", "paid")
            assert len(approved_charges(number)) == 1
        assert refunds(number) == []
    assert set(expired.values()) <= {True, False}
    assert_every_charge_has_its_payment_row()
