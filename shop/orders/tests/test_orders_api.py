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
    with django_assert_num_queries(2):  # count, page (item counts are a subquery of the page)
        response = auth_client.get(ORDERS, {"per_page": 2})
    body = response.json()
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 3, "total_pages": 2}
    assert all(row["item_count"] == 1 for row in body["data"])


def test_list_query_count_does_not_grow(auth_client, user, django_assert_num_queries):
    for _ in range(12):
        place(auth_client, user, quantity=2)
    with django_assert_num_queries(2):
        rows = auth_client.get(ORDERS, {"per_page": 50}).json()["data"]
    assert [row["item_count"] for row in rows] == [2] * 12


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
