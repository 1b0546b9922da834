"""Unpaid card orders expire; stock comes back on cancellation and refunds, with back-in-stock notices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.coupons.models import CouponUsage
from shop.coupons.tests.factories import CouponFactory
from shop.orders import services
from shop.orders.models import Order, Payment, PaymentRecordStatus
from shop.orders.tests.helpers import DECLINED_CARD, ORDERS, checkout, fill_cart
from skincare import events

pytestmark = pytest.mark.django_db
D = Decimal
STAFF = "/api/v1/staff/orders"


@pytest.fixture
def back_in_stock():
    received = []

    def receiver(sender, product, **kwargs):
        received.append(product.pk)

    events.product_back_in_stock.connect(receiver, dispatch_uid="test-expiry-back-in-stock")
    yield received
    events.product_back_in_stock.disconnect(dispatch_uid="test-expiry-back-in-stock")


@pytest.fixture
def frozen(monkeypatch):
    """Move the clock: ``frozen(minutes)`` makes ``timezone.now()`` that many minutes later."""
    start = timezone.now()

    def move(minutes):
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=minutes))

    return move


def _declined_order(client, user, *lines, coupon=None):
    fill_cart(user, *lines, coupon=coupon)
    response = checkout(client, user, card_number=DECLINED_CARD)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["status"], data["payment_status"]) == ("pending", "failed")
    return Order.objects.get(order_number=data["order_number"])


def test_unpaid_card_order_expires_after_the_timeout_returning_stock_and_coupon(
    auth_client, user, settings, frozen, back_in_stock
):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 30
    product = ProductFactory(price=D("30.00"), stock_quantity=2)
    variant = VariantFactory(stock_quantity=1)
    coupon = CouponFactory(code="C10", usage_limit=10)
    order = _declined_order(auth_client, user, (product, 2), (variant.product, 1, variant), coupon=coupon)
    product.refresh_from_db()
    variant.refresh_from_db()
    assert (product.stock_quantity, variant.stock_quantity) == (0, 0)

    frozen(29)
    assert services.orders_expire_unpaid() == []
    mail.outbox.clear()
    frozen(31)
    assert services.orders_expire_unpaid() == [order.order_number]
    assert [m.subject for m in mail.outbox] == [f"Order {order.order_number} was cancelled"]

    product.refresh_from_db()
    variant.refresh_from_db()
    coupon.refresh_from_db()
    user.refresh_from_db()
    assert (product.stock_quantity, product.sales_count, variant.stock_quantity) == (2, 0, 1)
    assert coupon.used_count == 0
    assert CouponUsage.objects.get().released_at is not None
    assert (user.total_orders, user.total_spent) == (0, D("0.00"))
    assert sorted(back_in_stock) == sorted([product.pk, variant.product_id])
    detail = auth_client.get(f"{ORDERS}/{order.order_number}").json()["data"]
    assert (detail["status"], detail["payment_status"]) == ("cancelled", "failed")
    cancelled = [e for e in detail["events"] if e["type"] == "status_changed" and e["data"]["new"] == "cancelled"]
    assert len(cancelled) == 1
    assert cancelled[0]["data"]["reason"] == "Not paid within 30 minutes."
    assert cancelled[0]["data"]["expired"] == "unpaid_timeout"

    # Idempotent: nothing more expires and nothing is returned twice.
    frozen(120)
    assert services.orders_expire_unpaid() == []
    assert services.order_expire_unpaid(order=order) is False
    product.refresh_from_db()
    assert product.stock_quantity == 2
    assert len(back_in_stock) == 2


def test_a_charge_in_flight_is_never_expired(auth_client, user, settings, frozen):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 30
    product = ProductFactory(stock_quantity=3)
    order = _declined_order(auth_client, user, (product, 1))
    Payment.objects.filter(order=order).update(status=PaymentRecordStatus.PROCESSING)
    frozen(600)
    assert services.orders_expire_unpaid() == []
    assert services.order_expire_unpaid(order=order) is False
    order.refresh_from_db()
    product.refresh_from_db()
    assert (order.status, product.stock_quantity) == ("pending", 2)


def test_paid_and_cash_on_delivery_orders_do_not_expire(auth_client, user, settings, frozen):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 30
    paid_product = ProductFactory(stock_quantity=3)
    fill_cart(user, (paid_product, 1))
    paid = checkout(auth_client, user).json()["data"]
    cod_product = ProductFactory(stock_quantity=3)
    fill_cart(user, (cod_product, 1))
    cod = checkout(auth_client, user, payment_method="cash_on_delivery").json()["data"]
    frozen(600)
    assert services.orders_expire_unpaid() == []
    statuses = dict(Order.objects.values_list("order_number", "status"))
    assert statuses == {paid["order_number"]: "confirmed", cod["order_number"]: "confirmed"}


def test_a_retried_payment_restarts_the_clock(auth_client, user, settings, frozen):
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 30
    product = ProductFactory(stock_quantity=3)
    order = _declined_order(auth_client, user, (product, 1))
    frozen(25)
    response = auth_client.post(
        f"{ORDERS}/{order.order_number}/pay", {"payment_method": "card", "card_number": DECLINED_CARD}, format="json"
    )
    assert response.json()["data"]["payment_status"] == "failed"
    frozen(40)
    assert services.orders_expire_unpaid() == []
    frozen(56)
    assert services.orders_expire_unpaid() == [order.order_number]


def test_management_command_expires_unpaid_orders(auth_client, user, settings, frozen):
    from io import StringIO

    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 15
    order = _declined_order(auth_client, user, (ProductFactory(stock_quantity=2), 1))
    frozen(16)
    out = StringIO()
    call_command("expire_unpaid_orders", stdout=out)
    assert out.getvalue() == f"Cancelled 1 order(s) unpaid for more than 15 minutes.\n  {order.order_number}\n"
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_beat_task_is_scheduled_and_expires(auth_client, user, settings, frozen):
    from shop.orders.tasks import orders_expire_unpaid_task

    assert settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid"]["task"] == "orders.expire_unpaid"
    settings.ORDER_UNPAID_TIMEOUT_MINUTES = 10
    order = _declined_order(auth_client, user, (ProductFactory(stock_quantity=2), 1))
    frozen(11)
    assert orders_expire_unpaid_task.delay().get() == [order.order_number]


def test_customer_cancel_announces_back_in_stock(auth_client, user, back_in_stock):
    product = ProductFactory(stock_quantity=1)
    plenty = ProductFactory(stock_quantity=5)
    fill_cart(user, (product, 1), (plenty, 1))
    data = checkout(auth_client, user).json()["data"]
    assert back_in_stock == []
    assert auth_client.post(f"{ORDERS}/{data['order_number']}/cancel").status_code == 200
    assert back_in_stock == [product.pk]


def test_full_refund_of_an_unshipped_order_returns_stock(auth_client, user, staff_client, back_in_stock):
    product = ProductFactory(price=D("20.00"), stock_quantity=1)
    fill_cart(user, (product, 1))
    data = checkout(auth_client, user).json()["data"]
    response = staff_client.post(f"{STAFF}/{data['order_number']}/refunds", {"full": True}, format="json")
    assert response.status_code == 201, response.json()
    product.refresh_from_db()
    assert (product.stock_quantity, product.sales_count) == (1, 0)
    assert back_in_stock == [product.pk]
    order = Order.objects.get(order_number=data["order_number"])
    assert order.status == "refunded"
    assert order.events.filter(type="status_changed", data__new="refunded", data__restocked=True).exists()


def test_refund_restock_can_be_turned_off_and_shipped_orders_never_restock(
    auth_client, user, staff_client, settings, back_in_stock
):
    settings.ORDER_RESTOCK_ON_REFUND = False
    product = ProductFactory(price=D("20.00"), stock_quantity=3)
    fill_cart(user, (product, 1))
    first = checkout(auth_client, user).json()["data"]
    assert (
        staff_client.post(f"{STAFF}/{first['order_number']}/refunds", {"full": True}, format="json").status_code == 201
    )
    product.refresh_from_db()
    assert product.stock_quantity == 2

    settings.ORDER_RESTOCK_ON_REFUND = True
    fill_cart(user, (product, 1))
    second = checkout(auth_client, user).json()["data"]
    shipped = staff_client.post(f"{STAFF}/{second['order_number']}/ship", {"tracking_number": "TRK1"}, format="json")
    assert shipped.status_code == 200, shipped.json()
    assert (
        staff_client.post(f"{STAFF}/{second['order_number']}/refunds", {"full": True}, format="json").status_code == 201
    )
    product.refresh_from_db()
    assert product.stock_quantity == 1
    assert back_in_stock == []


def test_a_backorder_variant_sells_below_zero_then_cancelling_restores_it(auth_client, user):
    product = ProductFactory(allow_backorders=True, stock_quantity=0)
    variant = VariantFactory(product=product, stock_quantity=1, allow_backorders=True)
    fill_cart(user, (product, 3, variant))
    data = checkout(auth_client, user).json()["data"]
    variant.refresh_from_db()
    assert variant.stock_quantity == -2
    assert auth_client.post(f"{ORDERS}/{data['order_number']}/cancel").status_code == 200
    variant.refresh_from_db()
    assert variant.stock_quantity == 1
