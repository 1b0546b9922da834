import pytest

from shop.accounts.models import SkinType
from shop.accounts.tests.factories import UserFactory
from shop.cart.tests.factories import ProductFactory
from shop.coupons.models import Coupon
from shop.orders.demo import seed_coupons, seed_orders
from shop.orders.models import Order, OrderItem, Payment, PaymentRefund

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


def test_demo_cancelled_orders_are_refunded_as_order_cancel_leaves_them():
    UserFactory(email="shopper1@skincare.local", skin_type=SkinType.OILY)
    ProductFactory(skin_types=["all"])
    for seed in range(2, 12):  # enough shoppers that some order is cancelled (1 in 10)
        UserFactory(email=f"shopper{seed}@skincare.local")
    seed_orders(scale=1, progress=lambda *a: None)
    cancelled = list(Order.objects.filter(status="cancelled"))
    assert cancelled
    for order in cancelled:
        assert order.payment_status == "refunded" and order.cancelled_at is not None
        payment = order.payments.get()
        assert (payment.status, payment.refunded_amount) == ("refunded", order.total)
        refund = PaymentRefund.objects.get(payment=payment)
        assert (refund.amount, refund.status, refund.reason) == (order.total, "completed", "Order cancelled")
        types = list(order.events.order_by("created_at", "id").values_list("type", flat=True))
        assert types == ["placed", "paid", "status_changed", "status_changed", "refunded"]
        assert order.events.get(type="refunded").data["refund"] == str(refund.pk)
    live = Payment.objects.exclude(order__status="cancelled")
    assert set(live.values_list("status", flat=True)) == {"completed"}
    assert not PaymentRefund.objects.exclude(payment__order__status="cancelled").exists()
