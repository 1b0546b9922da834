from datetime import timedelta

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from shop.catalog.models import Product, ProductStatus
from shop.catalog.selectors import primary_media_prefetch
from shop.coupons.calculations import ZERO, money
from shop.files.models import UploadedFile
from shop.orders.lock_objects import compiled_instances
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
    ReplenishmentOptOut,
)

NOT_COUNTED = (OrderStatus.CANCELLED,)


def orders_for_user(*, user):
    return Order.objects.filter(user=user).prefetch_related("items")


# The columns an order list row shows (``values()`` rows); ``only()`` querysets (``LIST_FIELDS``) add the key.
LIST_ROW_FIELDS = (
    "order_number",
    "currency",
    "subtotal",
    "tax_amount",
    "shipping_amount",
    "discount_amount",
    "total",
    "status",
    "payment_status",
    "fulfillment_status",
    "payment_method",
    "shipping_method",
    "created_at",
)
LIST_FIELDS = ("id", *LIST_ROW_FIELDS)
STAFF_LIST_FIELDS = (*LIST_FIELDS, "customer_email", "customer_name", "user_id", "tracking_number")


def _with_item_count(qs):
    """``item_count``: units bought, a correlated sum that PostgreSQL evaluates only for the rows of
    the page (after sort and limit), instead of prefetching every line of those orders."""
    units = (
        OrderItem.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    return qs.annotate(item_count=Coalesce(Subquery(units, output_field=IntegerField()), 0))


def order_list_for_user(*, user):
    """The shopper's orders as list rows: the listed columns only, plus ``item_count``."""
    return _with_item_count(Order.objects.filter(user=user).only(*LIST_FIELDS))


def order_list_page_for_user(*, user, offset, limit):
    """One page of the shopper's orders, newest first, as value rows (``LIST_ROW_FIELDS`` + ``item_count``),
    and how many orders the shopper has: ``(rows, total)``, in one statement (``COUNT(*) OVER ()`` on the page
    query). ``total`` is None when the page is empty (past the last order, or no orders at all)."""
    rows = list(
        _with_item_count(Order.objects.filter(user=user))
        .annotate(total_rows=Window(Count("*")))
        .order_by("-created_at", "-id")
        .values(*LIST_ROW_FIELDS, "item_count", "total_rows")[offset : offset + limit]
    )
    return rows, (rows[0]["total_rows"] if rows else None)


def _items_prefetch():
    """Order lines with their product's Khmer name and primary image (two queries for any size)."""
    items = OrderItem.objects.select_related("product", "image_file").prefetch_related(
        primary_media_prefetch("product__media"), "refund_lines"
    )
    return Prefetch("items", queryset=items)


def _events_prefetch():
    return Prefetch("events", queryset=OrderEvent.objects.order_by("created_at"))


def _detail_prefetches():
    return (_items_prefetch(), "payments", _events_prefetch())


def order_for_user(*, user, order_number):
    """The user's own order or None (another user's order reads as missing)."""
    return Order.objects.filter(user=user, order_number=order_number).prefetch_related(*_detail_prefetches()).first()


def order_detail_prefetch(*, order):
    """What ``order_for_user`` reads with an order, for an order already in hand: the same statements
    less the order's own. An order ``order_place`` just created carries its lines, payment and events as
    written (``placed_items``, ``placed_payment``, ``placed_events``), from which its answer is built
    (``serializers.placed_order_data``): only the lines' image files are read, onto the lines. Its
    related managers are left as they are (no prefetched querysets built for an answer that does not
    read them): a later ``order.items.all()`` reads the database."""
    if any(getattr(order, name, None) is None for name in PLACED):
        prefetch_related_objects([order], *_detail_prefetches())
        return order
    items = order.placed_items
    file_ids = {item.image_file_id for item in items if item.image_file_id}
    files = {}
    if file_ids:  # read in every checkout with an image: compiled once per number of files
        rows = compiled_instances(
            "order:files", lambda keys: UploadedFile.objects.filter(pk__in=keys), UploadedFile, sorted(file_ids)
        )
        files = {file.pk: file for file in rows}
    for item in items:
        if item.image_file_id:
            item.image_file = files[item.image_file_id]
        else:  # the product had no primary image when its locked row was read
            item.product.primary_media = []
    return order


# What ``order_place`` leaves on an order it has just created (see ``order_detail_prefetch``).
PLACED = ("placed_items", "placed_payment", "placed_events")


def replenishment_opt_outs(*, user):
    return ReplenishmentOptOut.objects.filter(user=user).select_related("product").order_by("-created_at", "-id")


def order_for_guest(*, order_number, email):
    """A guest order (placed without an account, not claimed yet) by its number and e-mail, or None.
    A wrong number and a wrong e-mail both read as None: nothing tells which one was wrong."""
    return (
        Order.objects.filter(user__isnull=True, order_number=order_number, customer_email__iexact=email.strip())
        .prefetch_related(*_detail_prefetches())
        .first()
    )


def order_for_guest_number(*, order_number):
    """A guest order by number alone: only for a browser that placed or found it (the session says so)."""
    return (
        Order.objects.filter(user__isnull=True, order_number=order_number)
        .prefetch_related(
            _items_prefetch(), "payments", Prefetch("events", queryset=OrderEvent.objects.order_by("created_at"))
        )
        .first()
    )


def order_for_staff(*, order_number):
    return (
        Order.objects.filter(order_number=order_number)
        .select_related("user", "coupon")
        .prefetch_related(_items_prefetch(), "payments__refunds__lines", "events")
        .first()
    )


def orders_for_staff():
    """Every order as staff list rows: the listed columns only, plus ``item_count``."""
    return _with_item_count(Order.objects.only(*STAFF_LIST_FIELDS))


def _sales_since(since):
    row = (
        Order.objects.filter(created_at__gte=since)
        .exclude(status__in=NOT_COUNTED)
        .aggregate(orders=Count("id"), revenue=Coalesce(Sum("total"), ZERO))
    )
    return {"orders": row["orders"], "revenue": str(money(row["revenue"]))}


def dashboard(*, now=None, limit=10):
    now = now or timezone.now()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    top = (
        OrderItem.objects.filter(order__created_at__gte=now - timedelta(days=30))
        .exclude(order__status__in=NOT_COUNTED)
        .values("product_id", "product_name")
        .annotate(quantity=Sum("quantity"), revenue=Sum("total_price"))
        .order_by("-quantity", "product_id")[:limit]
    )
    low_stock = (
        Product.objects.filter(status=ProductStatus.ACTIVE, track_inventory=True)
        .filter(stock_quantity__lte=F("low_stock_threshold"))
        .order_by("stock_quantity", "pk")
        .values("id", "name", "sku", "stock_quantity", "low_stock_threshold")[:limit]
    )
    recent = Order.objects.order_by("-created_at", "-id").values(
        "order_number", "customer_email", "total", "status", "payment_status", "created_at"
    )[:limit]
    by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")))
    pending_payments = Payment.objects.filter(status__in=["pending", "processing"]).count()
    return {
        "sales": {
            "today": _sales_since(start_of_day),
            "last_7_days": _sales_since(now - timedelta(days=7)),
            "last_30_days": _sales_since(now - timedelta(days=30)),
        },
        "orders_by_status": {value: by_status.get(value, 0) for value in OrderStatus.values},
        "pending_payments": pending_payments,
        "recent_orders": [{**row, "total": str(row["total"])} for row in recent],
        "top_products": [{**row, "revenue": str(money(row["revenue"]))} for row in top],
        "low_stock": list(low_stock),
    }


def order_search(qs, term):
    return qs.filter(Q(order_number__icontains=term) | Q(customer_email__icontains=term) | Q(tracking_number=term))


def sales_by_day(*, days=30, now=None) -> list[dict]:
    """Orders and revenue per local day for the last ``days`` days (today included), oldest first;
    days without orders read 0. Counted like ``dashboard``: cancelled orders excluded."""
    now = timezone.localtime(now or timezone.now())
    first = now.date() - timedelta(days=days - 1)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(created_at__gte=start)
        .exclude(status__in=NOT_COUNTED)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(orders=Count("id"), revenue=Coalesce(Sum("total"), ZERO))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        series.append(
            {"day": day, "orders": row["orders"] if row else 0, "revenue": money(row["revenue"]) if row else ZERO}
        )
    return series


TO_SHIP = (OrderStatus.CONFIRMED, OrderStatus.PROCESSING)
PAYMENT_OPEN = (
    OrderStatus.PENDING,
    OrderStatus.CONFIRMED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def order_queues(*, since) -> dict:
    """What staff must act on: orders to ship, payments still to collect, failed payments, and the
    refunds made since ``since`` (one query for the orders, one for the refunds)."""
    counts = Order.objects.aggregate(
        to_ship=Count("id", filter=Q(status__in=TO_SHIP)),
        to_capture=Count("id", filter=Q(status__in=PAYMENT_OPEN, payment_status=PaymentStatus.PENDING)),
        payment_failed=Count("id", filter=Q(status__in=PAYMENT_OPEN, payment_status=PaymentStatus.FAILED)),
    )
    refunds = PaymentRefund.objects.filter(created_at__gte=since).aggregate(
        completed=Count("id", filter=Q(status=RefundStatus.COMPLETED)),
        completed_amount=Coalesce(Sum("amount", filter=Q(status=RefundStatus.COMPLETED)), ZERO),
        pending=Count("id", filter=Q(status=RefundStatus.PENDING)),
    )
    return {**counts, "refunds": {**refunds, "completed_amount": money(refunds["completed_amount"])}}
