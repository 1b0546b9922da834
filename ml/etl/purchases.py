"""The collaborative-filtering training data: ``user_purchase_matrix`` (one document per user and
product, the seed's SQL view materialised) and ``user_purchase_patterns`` (one per user). Purchases
are order items of confirmed, processing, shipped or delivered orders of registered users.

Fields the data cannot support yet (price sensitivity, seasonal patterns) are left out rather than
invented."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model

from ml.etl.common import PURCHASED, money, ratio
from ml.etl.runner import JobResult
from ml.store import get_store, iso
from shop.orders.models import OrderItem


def _replace(store, collection, keyed, fields):
    """Upsert the new documents and delete those whose identity (``fields``) is gone: idempotent."""
    written = store.upsert_many(collection, keyed)
    keep = {tuple(doc[f] for f in fields) for _, doc in keyed}
    for doc in store.find(collection):
        if tuple(doc[f] for f in fields) not in keep:
            store.delete(collection, {f: doc[f] for f in fields})
    return written


def _gap_days(dates):
    days = sorted({d.date() for d in dates})
    if len(days) < 2:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    return ratio(sum(gaps), len(gaps), 2)


def purchase_patterns(*, progress):
    store = get_store()
    items = list(
        OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False)
        .values(
            "order__user_id", "order_id", "order__created_at", "order__total", "product_id", "quantity",
            "unit_price", "product__category__slug", "product__brand__name", "product__skin_types",
            "product__concerns",
        )
        .order_by("order__user_id", "product_id", "order__created_at", "pk")
    )  # fmt: skip
    users = {
        row["pk"]: row
        for row in get_user_model()
        .objects.filter(pk__in={i["order__user_id"] for i in items})
        .values("pk", "skin_type", "date_of_birth", "skin_concerns")
    }
    by_user = defaultdict(list)
    for item in items:
        by_user[item["order__user_id"]].append(item)

    matrix, patterns = [], []
    for index, (user_id, user_items) in enumerate(sorted(by_user.items()), start=1):
        user = users[user_id]
        by_product = defaultdict(list)
        for item in user_items:
            by_product[item["product_id"]].append(item)
        for product_id, rows in sorted(by_product.items()):
            first = rows[0]
            matrix.append(
                (
                    f"{user_id}:{product_id}",
                    {
                        "user_id": user_id,
                        "skin_type": user["skin_type"],
                        "date_of_birth": iso(user["date_of_birth"]) if user["date_of_birth"] else None,
                        "product_id": product_id,
                        "category": first["product__category__slug"],
                        "product_skin_type": first["product__skin_types"],
                        "skin_concerns": first["product__concerns"],
                        "purchase_count": len(rows),
                        "total_quantity": sum(r["quantity"] for r in rows),
                        "avg_price": str(money(sum(r["unit_price"] for r in rows) / len(rows))),
                        "first_purchase_date": iso(rows[0]["order__created_at"]),
                        "last_purchase_date": iso(max(r["order__created_at"] for r in rows)),
                    },
                )
            )
        quantity = sum(i["quantity"] for i in user_items)
        categories, brands, concerns = Counter(), Counter(), Counter()
        for item in user_items:
            categories[item["product__category__slug"]] += item["quantity"]
            brands[item["product__brand__name"]] += item["quantity"]
            for concern in item["product__concerns"] or []:
                concerns[concern] += item["quantity"]
        orders = {i["order_id"]: i for i in user_items}
        order_totals = [o["order__total"] for o in orders.values()]
        orders_per_product = Counter()
        for product_id, rows in by_product.items():
            orders_per_product[product_id] = len({r["order_id"] for r in rows})
        patterns.append(
            (
                str(user_id),
                {
                    "user_id": user_id,
                    "skin_type": user["skin_type"],
                    "purchase_vector": dict(sorted(categories.items())),
                    "concern_preferences": {c: ratio(n, quantity) for c, n in sorted(concerns.items())},
                    "behavioral_features": {
                        "total_orders": len(orders),
                        "total_items": quantity,
                        "avg_order_value": str(money(sum(order_totals, Decimal(0)) / len(order_totals))),
                        "purchase_frequency_days": _gap_days([o["order__created_at"] for o in orders.values()]),
                        "brand_loyalty_score": ratio(brands.most_common(1)[0][1], quantity),
                        "repurchase_rate": ratio(
                            sum(1 for n in orders_per_product.values() if n >= 2), len(orders_per_product)
                        ),
                    },
                    "last_updated": iso(max(i["order__created_at"] for i in user_items)),
                },
            )
        )
        progress(index, len(by_user))

    written = _replace(store, "user_purchase_matrix", matrix, ("user_id", "product_id"))
    written += _replace(store, "user_purchase_patterns", patterns, ("user_id",))
    return JobResult(rows_read=len(items), rows_written=written)
