"""Reads for the staff analytics API: from the relational roll-ups and the analytics store."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from ml.etl.common import day_bounds, money, ratio
from ml.models import OrderAnalytics
from ml.store import get_store, iso


def sales_report(*, date_from, date_to):
    """Daily ``order_analytics`` rows in the range (days without a roll-up are absent) and totals."""
    rows = OrderAnalytics.objects.filter(date__gte=date_from, date__lte=date_to).order_by("date")
    days = [
        {
            "date": row.date,
            "total_orders": row.total_orders,
            "total_revenue": row.total_revenue,
            "average_order_value": row.average_order_value,
            "new_customers": row.new_customers,
            "returning_customers": row.returning_customers,
        }
        for row in rows
    ]
    totals = rows.aggregate(
        orders=Sum("total_orders"), revenue=Sum("total_revenue"), new=Sum("new_customers"),
        returning=Sum("returning_customers"),
    )  # fmt: skip
    orders, revenue = totals["orders"] or 0, money(totals["revenue"] or Decimal(0))
    return {
        "date_from": date_from,
        "date_to": date_to,
        "totals": {
            "total_orders": orders,
            "total_revenue": revenue,
            "average_order_value": money(revenue / orders) if orders else money(0),
            "new_customers": totals["new"] or 0,
            "returning_customers": totals["returning"] or 0,
        },
        "days": days,
    }


def search_trends(*, date_from, date_to, limit):
    """Searches the server recorded in the range, by normalised query: counts, zero results,
    click-through (share of searches with a click) and conversions (cart adds, purchases)."""
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    searches = get_store().find("search_analytics", {"timestamp": {"$gte": iso(start), "$lt": iso(end)}})
    queries = defaultdict(lambda: {"searches": 0, "zero_results": 0, "clicked": 0, "cart_adds": 0, "purchases": 0})
    for search in searches:
        query = queries[search["normalized_query"]]
        query["searches"] += 1
        query["zero_results"] += search["results_count"] == 0
        query["clicked"] += bool(search["clicked_products"])
        query["cart_adds"] += len(search["conversion_data"]["added_to_cart"])
        query["purchases"] += len(search["conversion_data"]["purchased"])
    rows = [
        {"query": name, **counts, "click_through_rate": ratio(counts["clicked"], counts["searches"])}
        for name, counts in queries.items()
    ]
    clicked = sum(row["clicked"] for row in rows)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total_searches": len(searches),
        "click_through_rate": ratio(clicked, len(searches)),
        "zero_result_searches": sum(row["zero_results"] for row in rows),
        "top_queries": sorted(rows, key=lambda r: (-r["searches"], r["query"]))[:limit],
        "zero_result_queries": sorted(
            (r for r in rows if r["zero_results"]), key=lambda r: (-r["zero_results"], r["query"])
        )[:limit],
    }


def efficacy_for_product(*, product_id):
    """The product's efficacy curve from the last ``feedback_analytics`` run, or None."""
    doc = get_store().get("feedback_analytics", str(product_id))
    if doc is None:
        return None
    return {"product_id": product_id, "analysis_date": doc["analysis_date"], "curves": doc["efficacy_curve"]}
