"""Order, payment and customer-counter invariants (see ``skincare.invariants``).

The rules are those of ``shop.orders.services``: a refund row adds its amount to the payment's
``refunded_amount`` (failed refunds are never stored); a fully refunded payment is ``refunded``;
an order counts for its customer (``total_orders`` + 1, ``total_spent`` + total) until it is
cancelled, and each refund of a live order takes its amount off ``total_spent`` except a
surplus charge refunded because the order was already paid.

``total = subtotal + tax + shipping - discount`` and ``line total = unit price x quantity`` are
database constraints (``orders_order_total_rule``, ``orders_item_total_rule``), so no row can
break them; the checks here cover what a constraint cannot see: other rows.
"""

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from shop.catalog.models import Product
from shop.coupons.calculations import ZERO
from shop.orders.models import (
    Order,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentRecordStatus,
    PaymentRefund,
    PaymentRefundLine,
    PaymentStatus,
    RefundStatus,
)
from shop.orders.services import REFUNDED_ALREADY_PAID
from skincare.invariants import money_mismatch, register_invariant

MONEY = DecimalField(max_digits=12, decimal_places=2)
SETTLED = (PaymentRecordStatus.COMPLETED, PaymentRecordStatus.REFUNDED)


def _sum(queryset, field):
    """A correlated ``SUM(field)`` (0 when there is no row), for a queryset filtered on OuterRef."""
    total = queryset.order_by().annotate(_k=Value(1)).values("_k").annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _count(queryset):
    counted = queryset.order_by().annotate(_k=Value(1)).values("_k").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def order_subtotal_violations():
    lines = _sum(OrderItem.objects.filter(order=OuterRef("pk")), "total_price")
    return money_mismatch(Order.objects.all(), subtotal=lines)


def payment_refund_violations():
    rows = _sum(PaymentRefund.objects.filter(payment=OuterRef("pk")).exclude(status=RefundStatus.FAILED), "amount")
    return money_mismatch(Payment.objects.all(), refunded_amount=rows)


def payment_status_violations():
    fully = Q(refunded_amount=F("amount"), refunded_amount__gt=0)
    return Payment.objects.filter(
        (Q(status=PaymentRecordStatus.REFUNDED) & ~fully)
        | (Q(status=PaymentRecordStatus.COMPLETED) & fully)
        | (Q(refunded_amount__gt=0) & ~Q(status__in=SETTLED))
    )


def order_payment_status_violations():
    payments = Payment.objects.filter(order=OuterRef("pk"))
    settled = payments.filter(status__in=SETTLED)
    refundable = settled.filter(refunded_amount__lt=F("amount"))
    own_refunds = PaymentRefund.objects.filter(payment__order=OuterRef("pk")).exclude(reason=REFUNDED_ALREADY_PAID)
    claims_money = [PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED]
    return Order.objects.filter(
        # paid or refunded without a settled charge
        (Q(payment_status__in=claims_money) & ~Exists(settled))
        # refunded: refunds recorded and nothing left to refund
        | (Q(payment_status=PaymentStatus.REFUNDED) & (Exists(refundable) | ~Exists(own_refunds)))
        # partially refunded: a refund and money left
        | (Q(payment_status=PaymentStatus.PARTIALLY_REFUNDED) & ~(Exists(refundable) & Exists(own_refunds)))
        # pending or failed while a charge is held and not refunded
        | (Q(payment_status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]) & Exists(refundable))
    )


def customer_counter_violations():
    live = Order.objects.filter(user=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    refunded = PaymentRefund.objects.filter(payment__order__user=OuterRef("pk")).exclude(
        payment__order__status=OrderStatus.CANCELLED
    )
    refunded = refunded.exclude(status=RefundStatus.FAILED).exclude(reason=REFUNDED_ALREADY_PAID)
    users = get_user_model().objects.annotate(_orders=_count(live))
    spent = _sum(live, "total") - _sum(refunded, "amount")
    return money_mismatch(users, total_spent=spent) | users.exclude(total_orders=F("_orders"))


def product_sales_violations():
    """Units refunded and put back in stock (refund lines marked ``restocked``) are not sold."""
    sold = OrderItem.objects.filter(product=OuterRef("pk")).exclude(order__status=OrderStatus.CANCELLED)
    counted = sold.order_by().annotate(_k=Value(1)).values("_k").annotate(n=Sum("quantity")).values("n")
    back = PaymentRefundLine.objects.filter(order_item__product=OuterRef("pk"), restocked=True).exclude(
        order_item__order__status=OrderStatus.CANCELLED
    )
    returned = back.order_by().annotate(_k=Value(1)).values("_k").annotate(n=Sum("quantity")).values("n")
    return Product.objects.annotate(
        _sold=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        - Coalesce(Subquery(returned, output_field=IntegerField()), 0)
    ).exclude(sales_count=F("_sold"))


def register():
    register_invariant("order_subtotal", "order subtotal = sum of its lines", order_subtotal_violations)
    register_invariant(
        "payment_refunded_amount", "payment refunded_amount = sum of its refund rows", payment_refund_violations
    )
    register_invariant("payment_status", "payment status agrees with its refunded amount", payment_status_violations)
    register_invariant(
        "order_payment_status", "order payment_status agrees with its payments", order_payment_status_violations
    )
    register_invariant(
        "customer_counters",
        "user total_orders / total_spent = non-cancelled orders minus their refunds",
        customer_counter_violations,
    )
    register_invariant(
        "product_sales_count", "product sales_count = quantity on non-cancelled orders", product_sales_violations
    )
