from decimal import Decimal

import pytest
from django.core import mail

from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.coupons.models import CouponUsage
from shop.coupons.tests.factories import CouponFactory
from shop.orders.models import Order
from shop.orders.tests.helpers import ORDERS, checkout, fill_cart, place
from skincare import events

pytestmark = pytest.mark.django_db
D = Decimal


def test_list_my_orders_only(auth_client, user, other_user, django_assert_num_queries):
    from rest_framework.test import APIClient

    for _ in range(3):
        place(auth_client, user)
    other = APIClient()
    other.force_authenticate(other_user)
    place(other, other_user)
    with django_assert_num_queries(1):  # the page, its total (a window count) and item counts (a subquery)
        response = auth_client.get(ORDERS, {"per_page": 2})
    body = response.json()
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 3, "total_pages": 2}
    assert all(row["item_count"] == 1 for row in body["data"])


def test_list_query_count_does_not_grow(auth_client, user, django_assert_num_queries):
    for _ in range(12):
        place(auth_client, user, quantity=2)
    with django_assert_num_queries(1):
        rows = auth_client.get(ORDERS, {"per_page": 50}).json()["data"]
    assert [row["item_count"] for row in rows] == [2] * 12


def _orders(user, count, product):
    """``count`` orders of ``user`` with varied money, states and lines (no checkout: only the list reads them)."""
    statuses = ["pending", "confirmed", "processing", "shipped", "delivered", "cancelled"]
    made = []
    for n in range(count):
        money = {
            "subtotal": D("1234560.39") if n == 5 else D("10.00") * (n + 1) + D("0.05"),
            "tax_amount": D("0") if n % 3 else D("1.01"),
            "shipping_amount": D("3.50") if n % 2 else D("0.00"),
            "discount_amount": D("2.25") if n % 4 == 1 else D("0"),
        }
        order = Order.objects.create(
            order_number=f"SO-LIST-{user.pk}-{n}",
            user=user,
            customer_email=user.email,
            currency="USD",
            **money,
            total=money["subtotal"] + money["tax_amount"] + money["shipping_amount"] - money["discount_amount"],
            status=statuses[n % len(statuses)],
            payment_status="paid" if n % 2 else "pending",
            fulfillment_status="shipped" if n % 3 == 2 else "unfulfilled",
            payment_method="card" if n % 2 else "cash_on_delivery",
            shipping_method="express" if n % 5 == 1 else "standard",
        )
        for quantity in range(1, n % 3 + 1):
            order.items.create(
                product=product, product_name="P", quantity=quantity, unit_price=D("1.00"), total_price=quantity
            )
        made.append(order)
    return made


@pytest.mark.parametrize("zone", ["UTC", "Asia/Phnom_Penh"])
def test_order_list_rows_match_the_serializer(user, zone):
    """The list renders value rows by hand: every key and value as ``OrderListOutput`` writes them."""
    from django.utils import timezone

    from shop.orders.selectors import order_list_for_user, order_list_page_for_user
    from shop.orders.serializers import OrderListOutput, order_list_rows

    _orders(user, 7, ProductFactory())
    with timezone.override(zone):
        rows, total = order_list_page_for_user(user=user, offset=0, limit=50)
        expected = OrderListOutput(order_list_for_user(user=user).order_by("-created_at", "-id"), many=True).data
        rendered = order_list_rows(rows)
    assert total == 7
    assert [list(row) for row in rendered] == [list(row) for row in expected]  # same keys, same order
    assert rendered == [dict(row) for row in expected]
    assert [row["item_count"] for row in rendered] == [0, 3, 1, 0, 3, 1, 0]  # newest first
    assert rendered[1]["total"] == "1234561.64" and rendered[6]["discount_amount"] == "0.00"


def test_order_list_pages_and_totals(auth_client, user, other_user, django_assert_num_queries):
    orders = _orders(user, 5, ProductFactory())
    _orders(other_user, 2, ProductFactory())
    newest_first = [order.order_number for order in reversed(orders)]

    def page(**params):
        body = auth_client.get(ORDERS, params).json()
        return [row["order_number"] for row in body["data"]], body["meta"]

    assert page() == (newest_first, {"page": 1, "per_page": 20, "total": 5, "total_pages": 1})
    assert page(per_page=2) == (newest_first[:2], {"page": 1, "per_page": 2, "total": 5, "total_pages": 3})
    with django_assert_num_queries(1):
        assert page(per_page=2, page=3) == (newest_first[4:], {"page": 3, "per_page": 2, "total": 5, "total_pages": 3})
    assert page(per_page=2, page="last") == (newest_first[4:], {"page": 3, "per_page": 2, "total": 5, "total_pages": 3})
    # Past the last page, a page that is no number, a bad per_page: the same errors as the generic list.
    for params in ({"page": 4, "per_page": 2}, {"page": 0}, {"page": "x"}, {"page": "-1"}):
        response = auth_client.get(ORDERS, params)
        assert response.status_code == 404, params
        assert response.json()["status"] == "error" and response.json()["code"] == "NOT_FOUND"
    assert auth_client.get(ORDERS, {"per_page": 0}).status_code == 400
    # Filtered lists read the same rows.
    cancelled = [order.order_number for order in reversed(orders) if order.status == "cancelled"]
    assert page(status="cancelled")[0] == cancelled


def test_order_list_of_a_shopper_without_orders(auth_client, other_user):
    _orders(other_user, 2, ProductFactory())
    body = auth_client.get(ORDERS).json()
    assert body["data"] == [] and body["meta"] == {"page": 1, "per_page": 20, "total": 0, "total_pages": 1}
    assert auth_client.get(ORDERS, {"page": 2}).status_code == 404


def test_list_item_count_is_units_of_every_line(auth_client, user):
    fill_cart(user, (ProductFactory(), 2), (ProductFactory(), 3))
    first = checkout(auth_client, user).json()["data"]["order_number"]
    fill_cart(user, (ProductFactory(), 1))
    second = checkout(auth_client, user).json()["data"]["order_number"]

    rows = auth_client.get(ORDERS).json()["data"]
    assert [(row["order_number"], row["item_count"]) for row in rows] == [(second, 1), (first, 5)]


def test_list_filter_by_status(auth_client, user):
    place(auth_client, user)
    data, _ = place(auth_client, user)
    auth_client.post(f"{ORDERS}/{data['order_number']}/cancel")
    assert [o["status"] for o in auth_client.get(ORDERS, {"status": "cancelled"}).json()["data"]] == ["cancelled"]
    assert auth_client.get(ORDERS, {"status": "bogus"}).status_code == 400


def test_detail_of_someone_elses_order_is_404(auth_client, other_user):
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(other_user)
    data, _ = place(other, other_user)
    for url in (f"{ORDERS}/{data['order_number']}", f"{ORDERS}/NOPE"):
        response = auth_client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "ORDER_NOT_FOUND"
    response = auth_client.post(f"{ORDERS}/{data['order_number']}/cancel")
    assert response.status_code == 404


def test_detail_shows_history(auth_client, user):
    data, _ = place(auth_client, user)
    detail = auth_client.get(f"{ORDERS}/{data['order_number']}").json()["data"]
    assert [e["type"] for e in detail["events"]] == ["placed", "paid", "status_changed"]


def test_cancel_returns_stock_coupon_counters_and_refunds(auth_client, user):
    received = []
    events.order_status_changed.connect(lambda sender, **kw: received.append(kw["new_status"]), weak=False)
    product = ProductFactory(price=D("30.00"), stock_quantity=5)
    variant = VariantFactory(stock_quantity=4)
    coupon = CouponFactory(code="C10", usage_limit=10)
    fill_cart(user, (product, 2), (variant.product, 1, variant), coupon=coupon)
    data = checkout(auth_client, user).json()["data"]
    user.refresh_from_db()
    assert user.total_orders == 1
    mail.outbox.clear()
    response = auth_client.post(f"{ORDERS}/{data['order_number']}/cancel", {"reason": "changed my mind"}, format="json")
    assert response.status_code == 200
    body = response.json()["data"]
    assert (body["status"], body["payment_status"]) == ("cancelled", "refunded")
    product.refresh_from_db()
    variant.refresh_from_db()
    coupon.refresh_from_db()
    user.refresh_from_db()
    assert (product.stock_quantity, product.sales_count, variant.stock_quantity) == (5, 0, 4)
    assert coupon.used_count == 0
    assert CouponUsage.objects.get().released_at is not None
    assert (user.total_orders, user.total_spent) == (0, D("0.00"))
    assert [m.subject for m in mail.outbox] == [
        f"Order {data['order_number']} was cancelled",
        f"Refund for order {data['order_number']}",
    ]
    assert "cancelled" in received
    again = auth_client.post(f"{ORDERS}/{data['order_number']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "ORDER_NOT_CANCELLABLE")


def test_customer_cannot_cancel_shipped_order(auth_client, user, staff_client):
    data, _ = place(auth_client, user)
    staff_client.post(f"/api/v1/staff/orders/{data['order_number']}/ship", {"tracking_number": "TRK1"}, format="json")
    response = auth_client.post(f"{ORDERS}/{data['order_number']}/cancel")
    assert (response.status_code, response.json()["code"]) == (409, "ORDER_NOT_CANCELLABLE")


def test_cancel_unpaid_cod_order(auth_client, user):
    data, product = place(auth_client, user, payment_method="cash_on_delivery")
    body = auth_client.post(f"{ORDERS}/{data['order_number']}/cancel").json()["data"]
    assert (body["status"], body["payment_status"]) == ("cancelled", "pending")
    assert [p["status"] for p in body["payments"]] == ["cancelled"]
    assert Order.objects.get().cancelled_at is not None
