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
    for _ in range(4):
        ProductFactory(skin_types=["all"])
    for seed in range(2, 40):  # enough shoppers and orders that some order is cancelled (1 in 12)
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


def test_demo_shoppers_reorder_what_runs_out_and_build_routines():
    """The seeded shop has the structure ``demo_shoppers`` plants (``docs/ml.md``)."""
    import io
    from collections import defaultdict
    from datetime import timedelta

    from django.core.management import call_command

    steps = ["accounts", "catalog-taxonomy", "catalog-products", "coupons", "orders", "replenishment"]
    call_command("seed_demo", "--scale", "0.2", "--only", *steps, stdout=io.StringIO())  # 60 products, all four steps
    lines = defaultdict(list)
    for user, product, created, runs_out, product_type in (
        OrderItem.objects.filter(order__user__isnull=False)
        .exclude(order__status="cancelled")
        .order_by("order__created_at", "id")
        .values_list("order__user_id", "product_id", "order__created_at", "runs_out_on", "product__product_type")
    ):
        lines[(user, product)].append((created, runs_out, product_type))
    repeats = [pair for bought in lines.values() for pair in zip(bought, bought[1:], strict=False)]
    assert len(repeats) > 30
    timed = [later[0].date() - earlier[1] for earlier, later in repeats if earlier[1] is not None]
    assert len(timed) > 0.8 * len(repeats)
    # Reordered between about a week before the unit ran out and a few days after.
    near = [gap for gap in timed if timedelta(days=-9) <= gap <= timedelta(days=3)]
    assert len(near) >= 0.95 * len(timed)
    # Routine steps: of the shoppers who bought all four, most bought them in the routine's order.
    firsts = defaultdict(dict)
    for (user, _), bought in lines.items():
        created, _, product_type = bought[0]
        if product_type in ("cleanser", "serum", "moisturizer", "sunscreen"):
            previous = firsts[user].get(product_type)
            firsts[user][product_type] = min(previous, created) if previous else created
    complete = [f for f in firsts.values() if len(f) == 4]
    in_order = [f for f in complete if f["cleanser"] <= f["serum"] <= f["moisturizer"] <= f["sunscreen"]]
    assert len(complete) > 10 and len(in_order) > 0.5 * len(complete)  # 1 in 24 by chance
