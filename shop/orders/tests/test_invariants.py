"""Each order, payment, coupon and stock invariant holds on orders built through the services and
catches a violation planted in one row."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from shop.accounts.models import User
from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.catalog.models import Product, ProductVariant
from shop.coupons.models import Coupon
from shop.coupons.tests.factories import CouponFactory
from shop.orders.models import Order, Payment, PaymentRefund
from shop.orders.services import order_cancel, order_refund
from shop.orders.tests.helpers import checkout, fill_cart, place
from skincare.invariants import invariant_run, invariants

pytestmark = pytest.mark.django_db


def violations(name):
    check = next(c for c in invariants() if c.name == name)
    return invariant_run(check, examples=100).examples


@pytest.fixture
def history(auth_client, user, staff_user):
    """Paid with a coupon, cancelled (refunded in full), and partly refunded by staff."""
    coupon = CouponFactory(value=Decimal("10.00"))
    product = ProductFactory(price=Decimal("19.99"), stock_quantity=10)
    fill_cart(user, (product, 2), coupon=coupon)
    assert checkout(auth_client, user).status_code == 201
    cancelled, _ = place(auth_client, user, price="12.30")
    order_cancel(order=Order.objects.get(order_number=cancelled["order_number"]), by=user)
    refunded, _ = place(auth_client, user, price="40.00")
    order_refund(
        order=Order.objects.get(order_number=refunded["order_number"]),
        amount=Decimal("7.50"),
        reason="Damaged box",
        by=staff_user,
    )
    return user


def test_all_invariants_hold_on_orders_built_through_the_services(history):
    assert PaymentRefund.objects.count() == 2
    assert Order.objects.filter(payment_status="partially_refunded").count() == 1
    assert {c.name: invariant_run(c).count for c in invariants() if invariant_run(c).count} == {}
    out = io.StringIO()
    call_command("check_invariants", stdout=out)
    assert "order_subtotal: 0 violations" in out.getvalue()


def test_check_invariants_exits_non_zero_with_counts_and_example_ids(history):
    coupon = Coupon.objects.get()
    Coupon.objects.filter(pk=coupon.pk).update(used_count=5)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 of \d+ invariants violated\.$"):
        call_command("check_invariants", stdout=out)
    assert f"coupon_used_count: 1 violations (e.g. {coupon.pk})" in out.getvalue()


def test_unknown_check_name_is_refused():
    with pytest.raises(CommandError, match="Unknown checks: nope"):
        call_command("check_invariants", "--only", "nope", stdout=io.StringIO())


def test_order_subtotal_catches_a_subtotal_that_is_not_its_lines(history):
    order = Order.objects.order_by("pk").first()
    Order.objects.filter(pk=order.pk).update(subtotal=order.subtotal + 1, total=order.total + 1)
    assert violations("order_subtotal") == [order.pk]


def test_payment_refunded_amount_catches_a_refund_without_its_row(history):
    payment = Payment.objects.filter(refunded_amount=0).order_by("pk").first()
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=Decimal("1.00"))
    assert violations("payment_refunded_amount") == [payment.pk]


def test_payment_status_catches_a_refunded_status_without_the_amount(history):
    payment = Payment.objects.filter(refunded_amount=0).order_by("pk").first()
    Payment.objects.filter(pk=payment.pk).update(status="refunded")
    assert violations("payment_status") == [payment.pk]


def test_order_payment_status_catches_refunded_orders_without_refunds(history):
    order = Order.objects.filter(payment_status="paid").get()
    Order.objects.filter(pk=order.pk).update(payment_status="refunded")
    assert violations("order_payment_status") == [order.pk]


def test_order_payment_status_catches_pending_orders_holding_a_charge(history):
    order = Order.objects.filter(payment_status="paid").get()
    Order.objects.filter(pk=order.pk).update(payment_status="pending")
    assert violations("order_payment_status") == [order.pk]


def test_customer_counters_catch_total_spent_and_total_orders(history):
    history.refresh_from_db()
    # 2 x 19.99 - 10% coupon + tax + shipping, then 40.00 + tax with 7.50 refunded; the cancelled order counts 0.
    assert history.total_spent == Order.objects.exclude(status="cancelled").aggregate(s=Sum("total"))["s"] - Decimal(
        "7.50"
    )
    User.objects.filter(pk=history.pk).update(total_spent=history.total_spent + Decimal("0.01"))
    assert violations("customer_counters") == [history.pk]
    User.objects.filter(pk=history.pk).update(total_spent=history.total_spent, total_orders=3)
    assert history.total_orders == 2
    assert violations("customer_counters") == [history.pk]


def test_product_sales_count_catches_a_counter_off_its_lines(history):
    product = Product.objects.filter(sales_count__gt=0).order_by("pk").first()
    Product.objects.filter(pk=product.pk).update(sales_count=product.sales_count + 1)
    assert violations("product_sales_count") == [product.pk]


def test_coupon_used_count_catches_a_count_off_its_usages(history):
    coupon = Coupon.objects.get()
    assert coupon.used_count == 1
    Coupon.objects.filter(pk=coupon.pk).update(used_count=2)
    assert violations("coupon_used_count") == [coupon.pk]


def test_variant_stock_catches_negative_stock_unless_backorders(history):
    product = ProductFactory(stock_quantity=5, allow_backorders=True)
    variant = VariantFactory(product=product, stock_quantity=-2, allow_backorders=True)  # the product's copy
    assert violations("variant_stock") == []
    Product.objects.filter(pk=product.pk).update(allow_backorders=False)
    assert violations("variant_stock") == [variant.pk]
    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == -2
