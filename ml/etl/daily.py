"""Daily roll-ups for one UTC day: the ``performance_metrics`` document and the relational
``order_analytics`` / ``product_analytics`` rows. Rebuilt from the source rows each run, so a
second run writes the same values.

Definitions: an order counts when it was placed that day and is not cancelled or refunded;
revenue is the sum of those orders' totals; a customer is an e-mail address (guests included),
new when they had no counted order before that day; a product's views are the ``product_view``
events of that day; conversion rate is the product's orders over its views, capped at 1 (0
without views)."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Lower

from ml.etl.common import SOLD, day_bounds, money
from ml.etl.runner import JobResult
from ml.models import OrderAnalytics, ProductAnalytics
from ml.store import get_store, iso
from shop.catalog.models import Product
from shop.orders.models import Order, OrderItem

TOP = 10


def _views(store, start, end):
    views, active = Counter(), set()
    documents = store.find("user_analytics", {"created_at": {"$gte": iso(start), "$lt": iso(end)}})
    for doc in documents:
        if doc.get("user_id"):
            active.add(doc["user_id"])
        for event in doc["events"]:
            if event["event_type"] == "product_view":
                views[event["event_data"]["product_id"]] += 1
    return views, active, len(documents)


def _conversion(orders, views):
    if not views:
        return Decimal("0")
    return min(Decimal(1), Decimal(orders) / Decimal(views)).quantize(Decimal("0.0001"))


def daily_metrics(*, day, progress):
    store = get_store()
    start, end = day_bounds(day)
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end, status__in=SOLD)
    order_rows = list(orders.annotate(email=Lower("customer_email")).values("pk", "user_id", "email", "total"))
    revenue = money(sum((row["total"] for row in order_rows), Decimal(0)))
    emails = {row["email"] for row in order_rows}
    returning = set(
        Order.objects.filter(created_at__lt=start, status__in=SOLD)
        .annotate(email=Lower("customer_email"))
        .filter(email__in=emails)
        .values_list("email", flat=True)
    )
    sold = {
        row["product_id"]: row
        for row in OrderItem.objects.filter(order__in=orders)
        .values("product_id")
        .annotate(orders=Count("order", distinct=True), revenue=Sum("total_price"))
    }
    views, active, view_documents = _views(store, start, end)
    active |= {row["user_id"] for row in order_rows if row["user_id"]}
    products = dict(Product.objects.filter(pk__in=set(views) | set(sold)).values_list("pk", "category__slug"))

    rows, per_product = [], []
    for index, product_id in enumerate(sorted(products), start=1):
        bought = sold.get(product_id, {"orders": 0, "revenue": Decimal(0)})
        rows.append(
            ProductAnalytics(
                product_id=product_id,
                date=day,
                views=views[product_id],
                orders=bought["orders"],
                revenue=money(bought["revenue"]),
                conversion_rate=_conversion(bought["orders"], views[product_id]),
            )
        )
        per_product.append({"product_id": product_id, "views": views[product_id], "purchases": bought["orders"]})
        progress(index, len(products))
    categories = defaultdict(lambda: {"views": 0, "purchases": 0})
    for entry in per_product:
        category = categories[products[entry["product_id"]]]
        category["views"] += entry["views"]
        category["purchases"] += entry["purchases"]

    User = get_user_model()
    total_orders = len(order_rows)
    average = money(revenue / total_orders) if total_orders else money(0)
    with transaction.atomic():
        ProductAnalytics.objects.filter(date=day).delete()
        ProductAnalytics.objects.bulk_create(rows)
        OrderAnalytics.objects.update_or_create(
            date=day,
            defaults={
                "total_orders": total_orders,
                "total_revenue": revenue,
                "average_order_value": average,
                "new_customers": len(emails - returning),
                "returning_customers": len(emails & returning),
            },
        )
    document = {
        "date": iso(day),
        "metrics": {
            "total_users": User.objects.filter(date_joined__lt=end).count(),
            "active_users": len(active),
            "new_registrations": User.objects.filter(date_joined__gte=start, date_joined__lt=end).count(),
            "total_orders": total_orders,
            "revenue": str(revenue),
            "avg_order_value": str(average),
            "popular_products": sorted(per_product, key=lambda p: (-p["purchases"], -p["views"], p["product_id"]))[
                :TOP
            ],
            "popular_categories": sorted(
                ({"category": slug, **counts} for slug, counts in categories.items()),
                key=lambda c: (-c["purchases"], -c["views"], c["category"]),
            )[:TOP],
        },
    }
    store.upsert("performance_metrics", iso(day), document)
    return JobResult(rows_read=len(order_rows) + view_documents, rows_written=len(rows) + 2)
