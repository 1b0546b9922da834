import pytest

from shop.orders.tests.helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


def test_admin_pages_render(admin_client, auth_client, user):
    from shop.orders.models import Order

    place(auth_client, user)
    order = Order.objects.get()
    for url in (
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/coupons/coupon/",
        "/admin/coupons/coupon/add/",
        "/admin/cart/cart/",
        "/admin/wishlist/wishlistitem/",
        "/admin/orders/paymentrefund/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_action_uses_status_machine(admin_client, auth_client, user):
    from shop.orders.models import Order

    place(auth_client, user)
    order = Order.objects.get()
    response = admin_client.post(
        "/admin/orders/order/", {"action": "mark_delivered", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "confirmed"
    admin_client.post("/admin/orders/order/", {"action": "mark_processing", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "processing"
