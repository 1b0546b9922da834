"""Staff refund chosen lines: the amount comes from the lines, unshipped units go back to stock,
the refund records its lines, and no line is refunded beyond what was bought."""

from decimal import Decimal

import pytest

from shop.accounts.models import User
from shop.cart.tests.factories import ProductFactory
from shop.coupons.tests.factories import CouponFactory
from shop.orders.invariants import customer_counter_violations, product_sales_violations
from shop.orders.models import Order, PaymentRefund, PaymentRefundLine
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal
STAFF = "/api/v1/staff/orders"


def two_line_order(auth_client, user, **kwargs):
    """2 x 10.00 + 1 x 20.00: subtotal 40.00, tax 4.00, shipping 3.50, total 47.50."""
    a = ProductFactory(price=D("10.00"), stock_quantity=10)
    b = ProductFactory(price=D("20.00"), stock_quantity=10)
    fill_cart(user, (a, 2), (b, 1), **kwargs)
    data = checkout(auth_client, user).json()["data"]
    items = {item["product_id"]: item["id"] for item in data["items"]}
    return data["order_number"], a, b, items[a.pk], items[b.pk]


def refund(client, number, lines, **body):
    lines = [{"item_id": item_id, "quantity": quantity} for item_id, quantity in lines]
    return client.post(f"{STAFF}/{number}/refunds", {"lines": lines, "reason": "damaged", **body}, format="json")


def stock(*products):
    for product in products:
        product.refresh_from_db()
    return [(product.stock_quantity, product.sales_count) for product in products]


def test_refund_lines_computes_amounts_returns_stock_and_records_lines(staff_client, auth_client, user):
    number, a, b, item_a, item_b = two_line_order(auth_client, user)
    assert stock(a, b) == [(8, 2), (9, 1)]

    first = refund(staff_client, number, [(item_a, 1)])
    assert first.status_code == 201, first.json()
    body = first.json()["data"]
    # 10.00 of 40.00 goods: a quarter of the 44.00 paid for goods (tax included).
    assert body["amount"] == "11.00"
    assert body["lines"] == [{"item_id": item_a, "quantity": 1, "amount": "11.00", "restocked": True}]
    assert stock(a, b) == [(9, 1), (9, 1)]
    order = Order.objects.get(order_number=number)
    assert (order.status, order.payment_status) == ("confirmed", "partially_refunded")

    too_many = refund(staff_client, number, [(item_a, 2)])
    assert (too_many.status_code, too_many.json()["code"]) == (400, "REFUND_LINES_INVALID")
    assert too_many.json()["errors"]["lines"] == {str(item_a): [f"At most 1 of {a.name} can be refunded."]}
    not_mine = refund(staff_client, number, [(999_999, 1)])
    assert (not_mine.status_code, not_mine.json()["code"]) == (400, "REFUND_LINES_INVALID")
    assert PaymentRefund.objects.count() == 1

    # The last units take what is left of the goods (no cent lost to rounding), plus the shipping.
    last = refund(staff_client, number, [(item_a, 1), (item_b, 1)], include_shipping=True)
    assert last.status_code == 201, last.json()
    assert last.json()["data"]["amount"] == "36.50"
    assert sorted((line["item_id"], line["amount"]) for line in last.json()["data"]["lines"]) == sorted(
        [(item_a, "11.00"), (item_b, "22.00")]
    )
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert stock(a, b) == [(10, 0), (10, 0)]
    assert PaymentRefundLine.objects.filter(restocked=True).count() == 3
    user.refresh_from_db()
    assert (user.total_orders, user.total_spent) == (1, D("0.00"))
    assert not product_sales_violations().exists()
    assert not customer_counter_violations().exists()

    shown = auth_client.get(f"/api/v1/orders/{number}").json()["data"]
    assert {item["id"]: item["refunded_quantity"] for item in shown["items"]} == {item_a: 2, item_b: 1}


def test_shipped_lines_are_refunded_without_restocking(staff_client, auth_client, user):
    number, a, b, item_a, _ = two_line_order(auth_client, user)
    assert staff_client.post(f"{STAFF}/{number}/ship", {"tracking_number": "T1"}, format="json").status_code == 200
    response = refund(staff_client, number, [(item_a, 2)])
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["lines"][0]["restocked"] is False
    assert stock(a, b) == [(8, 2), (9, 1)]
    assert not product_sales_violations().exists()


def test_a_full_refund_after_a_line_refund_restocks_only_the_rest(staff_client, auth_client, user):
    number, a, b, item_a, item_b = two_line_order(auth_client, user)
    assert refund(staff_client, number, [(item_a, 1)]).status_code == 201
    full = staff_client.post(f"{STAFF}/{number}/refunds", {"full": True}, format="json")
    assert full.status_code == 201, full.json()
    assert full.json()["data"]["amount"] == "36.50"
    assert stock(a, b) == [(10, 0), (10, 0)]
    # The full refund recorded the units it covered: no line is left to refund.
    assert sorted((line["item_id"], line["quantity"]) for line in full.json()["data"]["lines"]) == sorted(
        [(item_a, 1), (item_b, 1)]
    )
    assert not product_sales_violations().exists()


def test_cancelling_after_a_line_refund_restocks_only_the_rest(staff_client, auth_client, user):
    number, a, b, item_a, _ = two_line_order(auth_client, user)
    assert refund(staff_client, number, [(item_a, 1)]).status_code == 201
    assert auth_client.post(f"/api/v1/orders/{number}/cancel", {}, format="json").status_code == 200
    assert stock(a, b) == [(10, 0), (10, 0)]
    order = Order.objects.get(order_number=number)
    assert sum(p.refunded_amount for p in order.payments.all()) == D("47.50")
    assert User.objects.get(pk=user.pk).total_spent == D("0.00")


def test_line_amounts_share_the_coupon_discount(staff_client, auth_client, user):
    coupon = CouponFactory(code="TEN", type="percentage", value=D("10"))
    number, a, b, item_a, item_b = two_line_order(auth_client, user, coupon=coupon)
    order = Order.objects.get(order_number=number)
    # 40.00 - 4.00 discount = 36.00 goods, tax 3.60, shipping 3.50: total 43.10.
    assert (order.discount_amount, order.total) == (D("4.00"), D("43.10"))
    first = refund(staff_client, number, [(item_b, 1)])
    assert first.json()["data"]["amount"] == "19.80"  # half of 39.60
    rest = refund(staff_client, number, [(item_a, 2)])
    assert rest.json()["data"]["amount"] == "19.80"
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"  # the shipping is still paid


@pytest.mark.parametrize(
    "body,field",
    [
        ({"lines": [], "reason": "x"}, "lines"),
        ({"lines": [{"item_id": 1, "quantity": 1}], "full": True}, "lines"),
        ({"amount": "1.00", "lines": [{"item_id": 1, "quantity": 1}]}, "amount"),
        ({"full": True, "include_shipping": True}, "include_shipping"),
        ({"lines": [{"item_id": 1, "quantity": 0}]}, "lines"),
    ],
)
def test_refund_input_takes_one_way(staff_client, auth_client, user, body, field):
    number, *_ = two_line_order(auth_client, user)
    response = staff_client.post(f"{STAFF}/{number}/refunds", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert list(response.json()["errors"]) == [field]
    assert PaymentRefund.objects.count() == 0
