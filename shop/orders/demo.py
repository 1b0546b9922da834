"""Demo coupons (order 31) and demo orders (order 32): shoppers buy products that suit their
skin type, build routines, stay with brands they like and reorder what satisfied them when it runs
out (``shop.orders.demo_shoppers``). Bulk inserts keep large ``--scale`` fast; both steps are
idempotent."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shop.accounts.models import User
from shop.catalog.models import Product, ProductIngredient, ProductStatus, ProductType
from shop.coupons.calculations import ZERO, money
from shop.coupons.models import Coupon, CouponType
from shop.orders.demo_shoppers import DELIVERY_DAYS, demo_rating, product_fit, rng_for, run_out_days, shopper_history
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
from shop.orders.replenishment import daily_use
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
ORDERS_PER_SHOPPER_MAX = 12
HISTORY_DAYS = 120


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


@dataclass(frozen=True)
class _Choice:
    """What a shopper's choice needs to know of a product (``demo_shoppers`` works on these)."""

    id: int
    sku: str
    brand_id: int
    product_type: str
    skin_types: tuple
    concerns: tuple
    ingredients: tuple
    model: Product


CONSIDERED = 120  # products a shopper looks at (a sample of those suiting the skin type)


def _choices():
    products = list(
        Product.objects.filter(status=ProductStatus.ACTIVE)
        .exclude(product_type=ProductType.SUBSCRIPTION)
        .only("id", "name", "sku", "price", "skin_types", "concerns", "brand_id", "product_type", "size_amount")
        .order_by("pk")
    )
    ingredients = defaultdict(list)
    for product_id, name in ProductIngredient.objects.filter(product__in=[p.pk for p in products]).values_list(
        "product_id", "ingredient__name"
    ):
        ingredients[product_id].append(name)
    choices = [
        _Choice(p.pk, p.sku, p.brand_id, p.product_type, tuple(p.skin_types or ()), tuple(p.concerns or ()),
                tuple(ingredients[p.pk]), p)
        for p in products
    ]  # fmt: skip
    lasts = {}
    for p in products:
        size = p.size_amount if p.size_amount else _demo_size(p.product_type)
        lasts[p.pk] = run_out_days(size=size, daily_use=daily_use(p.product_type))
    return choices, lasts


def _demo_size(product_type):
    """The size ``seed_replenishment`` will give a product without one (it runs after this step)."""
    amount = DEMO_SIZES.get(product_type)
    return Decimal(amount[0]) if amount else None


class _Ratings(dict):
    """The stars a shopper would give each product (``demo_rating``), drawn when first needed."""

    def __init__(self, email, fits, choices):
        super().__init__()
        self.email, self.fits, self.choices = email, fits, choices

    def __missing__(self, product_id):
        stars = demo_rating(email=self.email, sku=self.choices[product_id].sku, level=self.fits[product_id].level)
        self[product_id] = stars
        return stars


def _status_for(rng, created, now, *, may_cancel=True):
    """Recent orders are still on their way; one in about twelve is cancelled (and placed again)."""
    if may_cancel and rng.random() < 0.08:
        return OrderStatus.CANCELLED, PaymentStatus.REFUNDED
    age = (now - created).total_seconds() / 86400
    if age < 1:
        return OrderStatus.CONFIRMED, PaymentStatus.PAID
    if age < DELIVERY_DAYS:
        return OrderStatus.SHIPPED, PaymentStatus.PAID
    return OrderStatus.DELIVERED, PaymentStatus.PAID


@transaction.atomic
def seed_orders(*, scale, progress):
    """Each shopper's purchases over the last ``HISTORY_DAYS`` as ``demo_shoppers`` plays them out
    (routines built in sequence, brand loyalty, products that suit the skin, satisfied buyers
    reordering near the run-out date), grouped into orders."""
    shoppers = list(User.objects.filter(email__startswith="shopper", email__endswith="@skincare.local").order_by("pk"))
    choices, lasts = _choices()
    if not shoppers or not choices:
        return
    by_id = {c.id: c for c in choices}
    suitable_for = {}
    already = set(Order.objects.filter(user__in=shoppers).values_list("user_id", flat=True))
    now = timezone.now()
    window_start = now - timedelta(days=HISTORY_DAYS)
    orders, items_by_number = [], {}
    taken = set(Order.objects.values_list("order_number", flat=True))
    todo = [s for s in shoppers if s.pk not in already]
    for done, shopper in enumerate(todo, 1):
        if shopper.skin_type not in suitable_for:
            suitable_for[shopper.skin_type] = [c for c in choices if _suits(c, shopper.skin_type)] or choices
        suitable = suitable_for[shopper.skin_type]
        person = rng_for("shopper", shopper.email)
        considered = suitable if len(suitable) <= CONSIDERED else person.sample(suitable, CONSIDERED)
        fits = {
            c.id: product_fit(skin_type=shopper.skin_type, concerns=shopper.skin_concerns, product=c)
            for c in considered
        }
        history = shopper_history(
            products=considered, fits=fits, ratings=_Ratings(shopper.email, fits, by_id), lasts=lasts,
            horizon_days=HISTORY_DAYS, max_orders=ORDERS_PER_SHOPPER_MAX, rng=person,
        )  # fmt: skip
        for day, purchases in history:
            created = min(window_start + timedelta(days=day, minutes=person.randint(0, 600)), now)
            lines = [(p.product.model, p.quantity) for p in purchases]
            status, payment_status = _status_for(person, created, now)
            placed = [(created, status, payment_status)]
            if status == OrderStatus.CANCELLED:  # the shopper places it again a little later
                again = min(created + timedelta(hours=person.randint(2, 30)), now)
                placed.append((again, *_status_for(person, again, now, may_cancel=False)))
            for when, status, payment_status in placed:
                order = _draft_order(shopper, lines, status, payment_status, when, now, taken)
                orders.append(order)
                items_by_number[order.order_number] = lines
        progress(done, len(todo), "shoppers' orders drafted")
    progress(len(todo), len(todo), "shoppers' orders drafted")
    _save_orders(orders, items_by_number, progress)


def _draft_order(shopper, lines, status, payment_status, created, now, taken):
    subtotal = money(sum((p.price * q for p, q in lines), ZERO))
    shipping = ZERO if subtotal >= settings.FREE_SHIPPING_THRESHOLD else money(settings.SHIPPING_FLAT_RATE)
    tax = money(subtotal * settings.TAX_RATE)

    def later(days):
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
        delivered_at=later(DELIVERY_DAYS) if status == OrderStatus.DELIVERED else None,
        cancelled_at=later(0.1) if status == OrderStatus.CANCELLED else None,
        shipping_address=DEMO_ADDRESS,
        billing_address=DEMO_ADDRESS,
    )
    order._demo_date = created
    return order


def _save_orders(orders, items_by_number, progress):
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
            bulk_create_dated(model, chunk)  # creation dates spread over the last HISTORY_DAYS
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
