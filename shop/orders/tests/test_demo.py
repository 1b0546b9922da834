import pytest

from shop.accounts.models import SkinType
from shop.accounts.tests.factories import UserFactory
from shop.cart.tests.factories import ProductFactory
from shop.coupons.models import Coupon
from shop.orders.demo import seed_coupons, seed_orders
from shop.orders.models import Order, OrderItem

pytestmark = pytest.mark.django_db


def test_demo_steps_are_idempotent_and_follow_skin_type():
    oily = UserFactory(email="shopper1@skincare.local", skin_type=SkinType.OILY)
    dry_product = ProductFactory(skin_types=["dry"])
    oily_product = ProductFactory(skin_types=["oily"])
    for _ in range(2):
        seed_coupons(scale=1, progress=lambda *a: None)
        seed_orders(scale=1, progress=lambda *a: None)
    assert Coupon.objects.count() == 4
    count = Order.objects.filter(user=oily).count()
    assert count >= 1
    products = set(OrderItem.objects.values_list("product_id", flat=True))
    assert products == {oily_product.pk} and dry_product.pk not in products
    oily.refresh_from_db()
    live = Order.objects.filter(user=oily).exclude(status="cancelled")
    assert oily.total_orders == live.count()
    for order in Order.objects.all():
        assert order.total == order.subtotal + order.tax_amount + order.shipping_amount - order.discount_amount
