"""Demo coupons (order 31) and demo orders (order 32): shoppers buy products that suit their
skin type. Bulk inserts keep large ``--scale`` fast; both steps are idempotent."""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shop.accounts.models import User
from shop.catalog.models import Product, ProductStatus
from shop.coupons.calculations import ZERO, money
from shop.coupons.models import Coupon, CouponType
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentRecordStatus,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
)
from shop.orders.numbers import order_number_generate
from shop.orders.services import ADDRESS_FIELDS
from skincare.demo import BATCH, bulk_create_dated

# A full snapshot, as checkout stores one (shop.orders.services.address_snapshot).
DEMO_ADDRESS = {
    **dict.fromkeys(ADDRESS_FIELDS, ""),
    "address_line1": "Demo street",
    "city": "Phnom Penh",
    "postal_code": "12000",
    "country": "KH",
}

DEMO_COUPONS = [
    ("WELCOME10", "Welcome 10%", CouponType.PERCENTAGE, "10", {"is_first_time_only": True}),
    ("GLOW20", "Glow 20% (max 15)", CouponType.PERCENTAGE, "20", {"max_discount": Decimal("15.00")}),
    ("SAVE5", "5 off 30+", CouponType.FIXED, "5", {"min_order_value": Decimal("30.00"), "usage_limit_per_user": None}),
    ("FREESHIP", "Free shipping", CouponType.FREE_SHIPPING, "0", {"usage_limit": 1000}),
]
# About five orders of two lines per shopper: with accounts' 1,500 shoppers per unit of scale,
# --scale 34 gives ~51,000 shoppers and ~500,000 order lines next to ~10,000 products.
ORDERS_PER_SHOPPER_MAX = 9

STATUSES = [
    (OrderStatus.DELIVERED, PaymentStatus.PAID, 6),
    (OrderStatus.SHIPPED, PaymentStatus.PAID, 2),
    (OrderStatus.CONFIRMED, PaymentStatus.PAID, 1),
    (OrderStatus.CANCELLED, PaymentStatus.REFUNDED, 1),
]


def seed_coupons(*, scale, progress):
    for i, (code, name, type_, value, extra) in enumerate(DEMO_COUPONS, 1):
        Coupon.objects.get_or_create(
            code=code, defaults={"name": name, "type": type_, "value": Decimal(value), **extra}
        )
        progress(i, len(DEMO_COUPONS), "coupons")


def _settle(payments):
    """What ``order_cancel`` leaves on a paid card order: the whole charge refunded."""
    for payment in payments:
        if payment.order.status == OrderStatus.CANCELLED:
            payment.refunded_amount = payment.amount
            payment.status = PaymentRecordStatus.REFUNDED if payment.amount > ZERO else payment.status


def _refunds(payments):
    """One completed refund row per refunded payment, as ``_refund_locked`` writes it."""
    refunds = []
    for payment in payments:
        if payment.refunded_amount > ZERO:
            refund = PaymentRefund(
                payment=payment,
                amount=payment.refunded_amount,
                reason="Order cancelled",
                status=RefundStatus.COMPLETED,
                provider_refund_id=f"test_re_demo_{payment.order.order_number}",
                processed_at=payment.order.cancelled_at,
            )
            refund._demo_date = payment.order.cancelled_at
            refunds.append(refund)
    return refunds


def _events(orders, refunds, progress):
    """The history the services record: placed, paid, each status change, the refund."""
    events, refund_of = [], {refund.payment.order.order_number: refund for refund in refunds}

    def add(order, when, type_, **data):
        event = OrderEvent(order=order, type=type_, data=data)
        event._demo_date = when
        events.append(event)

    for done, order in enumerate(orders, 1):
        if done % 1000 == 0 or done == len(orders):
            progress(done, len(orders), "order histories built")
        add(order, order._demo_date, OrderEventType.PLACED, total=str(order.total), coupon="")
        add(order, order.paid_at, OrderEventType.PAID, amount=str(order.total), provider="test")
        add(order, order.paid_at, OrderEventType.STATUS_CHANGED, old="pending", new="confirmed")
        if order.status == OrderStatus.CANCELLED:
            add(order, order.cancelled_at, OrderEventType.STATUS_CHANGED, old="confirmed", new="cancelled", reason="")
            refund = refund_of[order.order_number]
            add(
                order,
                order.cancelled_at,
                OrderEventType.REFUNDED,
                amount=str(refund.amount),
                reason=refund.reason,
                refund=str(refund.pk),
            )
            continue
        old = "confirmed"
        for new, when in (
            ("processing", order.shipped_at),
            ("shipped", order.shipped_at),
            ("delivered", order.delivered_at),
        ):
            if when is None:
                break
            add(order, when, OrderEventType.STATUS_CHANGED, old=old, new=new)
            old = new
    return events


def _suits(product, skin_type):
    types = product.skin_types or []
    return "all" in types or skin_type in types


@transaction.atomic
def seed_orders(*, scale, progress):
    rng = random.Random(4)
    shoppers = list(User.objects.filter(email__startswith="shopper", email__endswith="@skincare.local"))
    products = list(
        Product.objects.filter(status=ProductStatus.ACTIVE).only("id", "name", "sku", "price", "skin_types")
    )
    if not shoppers or not products:
        return
    already = set(Order.objects.filter(user__in=shoppers).values_list("user_id", flat=True))
    weights = [w for _, _, w in STATUSES]
    now = timezone.now()
    orders, items_by_number = [], {}
    taken = set(Order.objects.values_list("order_number", flat=True))
    todo = [s for s in shoppers if s.pk not in already]
    for done, shopper in enumerate(todo, 1):
        suitable = [p for p in products if _suits(p, shopper.skin_type)] or products
        for _ in range(rng.randint(1, ORDERS_PER_SHOPPER_MAX)):
            picked = rng.sample(suitable, k=min(len(suitable), rng.randint(1, 3)))
            lines = [(p, rng.randint(1, 2)) for p in picked]
            subtotal = money(sum((p.price * q for p, q in lines), ZERO))
            shipping = ZERO if subtotal >= settings.FREE_SHIPPING_THRESHOLD else money(settings.SHIPPING_FLAT_RATE)
            tax = money(subtotal * settings.TAX_RATE)
            status, payment_status, _ = rng.choices(STATUSES, weights=weights)[0]
            created = now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440))

            def later(days, created=created):
                return min(created + timedelta(days=days), now)

            order = Order(
                order_number=order_number_generate(taken=taken),
                user=shopper,
                customer_name=shopper.get_full_name(),
                customer_email=shopper.email,
                currency=settings.CURRENCY,
                subtotal=subtotal,
                tax_amount=tax,
                shipping_amount=shipping,
                total=subtotal + tax + shipping,
                status=status,
                payment_status=payment_status,
                fulfillment_status={"delivered": "delivered", "shipped": "shipped"}.get(status, "unfulfilled"),
                payment_provider="test",
                paid_at=created,
                shipped_at=later(1) if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else None,
                delivered_at=later(3) if status == OrderStatus.DELIVERED else None,
                cancelled_at=later(0.1) if status == OrderStatus.CANCELLED else None,
                shipping_address=DEMO_ADDRESS,
                billing_address=DEMO_ADDRESS,
            )
            order._demo_date = created
            orders.append(order)
            items_by_number[order.order_number] = lines
        progress(done, len(todo), "shoppers' orders drafted")
    progress(len(todo), len(todo), "shoppers' orders drafted")
    items, payments = [], []
    for done, order in enumerate(orders, 1):
        if done % 1000 == 0 or done == len(orders):
            progress(done, len(orders), "order lines and payments built")
        for product, quantity in items_by_number[order.order_number]:
            item = OrderItem(
                order=order,
                product=product,
                product_name=product.name,
                product_sku=product.sku,
                quantity=quantity,
                unit_price=product.price,
                total_price=product.price * quantity,
            )
            item._demo_date = order._demo_date
            items.append(item)
        payment = Payment(
            order=order,
            payment_method="card",
            payment_provider="test",
            amount=order.total,
            currency=order.currency,
            status=PaymentRecordStatus.COMPLETED,
            transaction_id=f"test_ch_demo_{order.order_number}",
            provider_transaction_id=f"test_ch_demo_{order.order_number}",
            processed_at=order._demo_date,
        )
        payment._demo_date = order._demo_date
        payments.append(payment)
    _settle(payments)
    refunds = _refunds(payments)
    events = _events(orders, refunds, progress)
    # Parents first (the children read their pks when saved); a bar step per batch of rows.
    tables = [(Order, orders), (OrderItem, items), (Payment, payments), (PaymentRefund, refunds), (OrderEvent, events)]
    total, saved = sum(len(rows) for _, rows in tables), 0
    progress(0, total, "order rows saved")
    for model, rows in tables:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            bulk_create_dated(model, chunk)  # creation dates spread over the last 90 days
            saved += len(chunk)
            progress(saved, total, "order rows saved")
    progress(0, 2, "customer and sales counters")
    # Counters from the data, in one statement each.
    live = Order.objects.exclude(status=OrderStatus.CANCELLED).filter(user=OuterRef("pk")).values("user")
    User.objects.filter(email__startswith="shopper", email__endswith="@skincare.local").update(
        total_orders=Coalesce(Subquery(live.annotate(n=Count("id")).values("n")), 0),
        total_spent=Coalesce(
            Subquery(live.annotate(spent=Sum("total")).values("spent")), Value(ZERO), output_field=DecimalField()
        ),
    )
    progress(1, 2, "customer and sales counters")
    # Sales counters from the order lines, in one statement.
    sold = (
        OrderItem.objects.filter(product=OuterRef("pk"))
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("product")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    Product.objects.update(sales_count=Coalesce(Subquery(sold), 0))
    progress(2, 2, "customer and sales counters")


# --- Guest orders and expired unpaid orders (order 33), through the real services ---------------

GUEST_ORDERS_PER_SCALE = 20
EXPIRED_ORDERS_PER_SCALE = 5
GUEST_EMAIL = "guest{}@skincare.local"
DECLINED = "4000000000000002"  # the test provider's declined card


def _guest_checkout(rng, products, number, *, card):
    """A guest cart filled and checked out with ``order_place``, exactly as the API does it."""
    from shop.cart.models import Cart
    from shop.cart.services import cart_add_line
    from shop.orders.services import order_place

    cart = Cart.objects.create()
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 2))):
        cart_add_line(cart=cart, product_id=product.pk, quantity=1)
    address = {**DEMO_ADDRESS, "first_name": "Guest", "last_name": str(number)}
    order, _, _ = order_place(
        user=None,
        cart=cart,
        email=GUEST_EMAIL.format(number),
        customer_name=f"Guest {number}",
        shipping_address=address,
        shipping_method=rng.choice(["standard", "standard", "express"]),
        payment_data={"card_number": card},
    )
    return order


def seed_guest_orders(*, scale, progress):
    """Guest checkouts (paid by the test card) and card orders left unpaid past
    ``ORDER_UNPAID_TIMEOUT_MINUTES`` and cancelled by the expiry service, stock and all."""
    from shop.orders.payments.test_card import ACCEPTED
    from shop.orders.services import orders_expire_unpaid

    if Order.objects.filter(user__isnull=True, customer_email__endswith="@skincare.local").exists():
        return
    rng = random.Random(33)
    products = list(
        Product.objects.filter(
            status=ProductStatus.ACTIVE, variants__isnull=True, stock_quantity__gte=20, price__gt=ZERO
        ).order_by("pk")[:200]
    )
    if not products:
        return
    guests = max(1, round(GUEST_ORDERS_PER_SCALE * scale))
    expired = max(1, round(EXPIRED_ORDERS_PER_SCALE * scale))
    total = guests + expired + 1
    for number in range(1, guests + 1):
        with transaction.atomic():
            _guest_checkout(rng, products, number, card=ACCEPTED)
        progress(number, total, "guest and expired orders")
    placed_long_ago = timezone.now() - timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES + rng.randint(5, 600))
    for offset in range(1, expired + 1):
        with transaction.atomic():
            order = _guest_checkout(rng, products, guests + offset, card=DECLINED)
            # Left unpaid: it and its declined attempt date from before the timeout.
            Order.objects.filter(pk=order.pk).update(created_at=placed_long_ago)
            Payment.objects.filter(order=order).update(created_at=placed_long_ago)
        progress(guests + offset, total, "guest and expired orders")
    orders_expire_unpaid()
    progress(total, total, "guest and expired orders")


# --- Replenishment (order 34): sizes, run-out estimates of delivered lines, today's reminders ----

DEMO_SIZES = {
    "cleanser": ("150", "ml"), "toner": ("200", "ml"), "essence": ("150", "ml"), "serum": ("30", "ml"),
    "moisturizer": ("50", "g"), "sunscreen": ("50", "ml"), "exfoliant": ("100", "ml"), "treatment": ("15", "ml"),
    "mask": ("100", "g"), "eye_care": ("15", "g"), "face_oil": ("30", "ml"), "mist": ("100", "ml"),
    "lip_care": ("10", "g"),
}  # fmt: skip


def seed_replenishment(*, scale, progress):
    """Give products a size, estimate when each delivered demo line runs out (the rule delivery
    applies), then send today's reminders through the real task service."""
    from shop.orders.replenishment import replenishment_reminders_send, runs_out_on

    for product_type, (amount, unit) in DEMO_SIZES.items():
        Product.objects.filter(product_type=product_type, size_amount__isnull=True).update(
            size_amount=Decimal(amount), size_unit=unit
        )
    items = OrderItem.objects.filter(
        order__status=OrderStatus.DELIVERED, order__user__isnull=False, runs_out_on__isnull=True
    ).select_related("product__replenishment_usage", "order")
    total = items.count()
    batch, done = [], 0
    progress(0, total + 1, "replenishment estimates and reminders")
    for item in items.iterator(chunk_size=BATCH):
        item.runs_out_on = runs_out_on(
            product=item.product, quantity=item.quantity, delivered_on=timezone.localdate(item.order.delivered_at)
        )
        batch.append(item)
        if len(batch) == BATCH:
            OrderItem.objects.bulk_update(batch, ["runs_out_on"])
            done += len(batch)
            batch = []
            progress(done, total + 1, "replenishment estimates and reminders")
    OrderItem.objects.bulk_update(batch, ["runs_out_on"])
    replenishment_reminders_send()
    progress(total + 1, total + 1, "replenishment estimates and reminders")
