"""Analytics and ML panels of the admin dashboard.

Registered from ``MlConfig.ready()`` into the shop's panel registry (``skincare.dashboard``); the
figures come from the staff analytics selectors (the same reads as ``/api/v1/staff/analytics``),
cached briefly like every panel. Store-backed panels read through ``ml.freshness``: while the
analytics store is down they show the last good figures with the time they were read.
Money panels need ``orders.view_order`` (admins); the ratings panel needs ``reviews.view_review``
(moderators too); search and model panels need ``ml.view_analyticsdocument`` (admins).
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format

from ml import selectors
from ml.freshness import read_or_last_good
from skincare.charts import bar_chart_svg, chart_table
from skincare.dashboard import cached, register_panel

SALES_DAYS = 90
WINDOW_DAYS = 30
TOP = 5


def _changelist(model, **params):
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _window(days):
    today = datetime.now(UTC).date()
    return today - timedelta(days=days - 1), today


def _percent(value):
    return "—" if value is None else f"{value * 100:.1f} %"


def _stale_note(report):
    """One line when the store was down: how old the figures are, or that there are none."""
    if not report["stale"]:
        return None
    if report["as_of"] is None:
        return "The analytics store is not answering: no figures could be read yet."
    return f"The analytics store is not answering: figures as of {report['as_of']:%Y-%m-%d %H:%M} UTC."


def sales_trend_panel():
    date_from, date_to = _window(SALES_DAYS)
    report = selectors.sales_report(date_from=date_from, date_to=date_to)
    totals = report["totals"]
    by_day = {row["date"]: row["total_revenue"] for row in report["days"]}
    days = [date_from + timedelta(days=n) for n in range(SALES_DAYS)]
    points = [(date_format(day, "j M"), by_day.get(day, 0)) for day in days]
    return {
        "link": _changelist("ml_orderanalytics"),
        "note": f"Daily roll-ups of the last {SALES_DAYS} days (days not rolled up yet count as 0).",
        "items": [
            {"label": "Orders", "value": totals["total_orders"], "url": _changelist("ml_orderanalytics")},
            {"label": "Revenue", "value": totals["total_revenue"], "url": ""},
            {"label": "Average order", "value": totals["average_order_value"], "url": ""},
            {
                "label": "New · returning customers",
                "value": f"{totals['new_customers']} · {totals['returning_customers']}",
                "url": "",
            },
        ],
        "chart": bar_chart_svg(
            points,
            title=f"Revenue by day, last {SALES_DAYS} days",
            desc="Revenue of the orders counted by the daily roll-up, cancelled and refunded orders excluded.",
            label_every=15,
            chart_id="analytics-sales-trend",
        ),
        "table": chart_table(
            [(date_format(day, "j M Y"), by_day.get(day, 0)) for day in days],
            caption=f"Revenue by day, last {SALES_DAYS} days",
            label_header="Day",
            value_header="Revenue",
        ),
    }


def product_performance_panel():
    date_from, date_to = _window(WINDOW_DAYS)
    report = selectors.product_performance(date_from=date_from, date_to=date_to, limit=TOP)
    return {
        "link": _changelist("ml_productanalytics"),
        "note": (
            f"By revenue over the last {WINDOW_DAYS} days: revenue · orders · conversion (orders / views)."
            if report["products"]
            else f"No product roll-ups in the last {WINDOW_DAYS} days."
        ),
        "items": [
            {
                "label": row["name"],
                "value": f"{row['revenue']} · {row['orders']} · {_percent(row['conversion_rate'])}",
                "url": _changelist("ml_productanalytics", product__id__exact=row["product_id"]),
            }
            for row in report["products"]
        ],
    }


def _search_trends():
    date_from, date_to = _window(WINDOW_DAYS)
    return cached(
        "analytics-search-trends",
        lambda: read_or_last_good(
            "search_trends",
            selectors.search_trends,
            empty=selectors.search_trends_empty,
            date_from=date_from,
            date_to=date_to,
            limit=TOP,
        ),
    )


def _search_export_url():
    date_from, date_to = _window(WINDOW_DAYS)
    return (
        reverse("staff-analytics-search-csv")
        + "?"
        + urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "limit": 100})
    )


def search_funnel_panel():
    report = _search_trends()
    funnel = report["funnel"]
    stages = [
        ("Searches", report["total_searches"]),
        ("With a click", funnel and funnel["clicked"]),
        ("Cart adds", funnel and funnel["cart_adds"]),
        ("Purchases", funnel and funnel["purchases"]),
    ]
    panel = {
        "link": _search_export_url(),
        "note": _stale_note(report) or f"Searches of the last {WINDOW_DAYS} days and what followed them.",
        "items": [
            *({"label": label, "value": "—" if value is None else value, "url": ""} for label, value in stages),
            {"label": "Click-through", "value": _percent(report["click_through_rate"]), "url": ""},
        ],
    }
    if funnel is not None:
        panel["chart"] = bar_chart_svg(
            stages,
            title=f"Search conversion, last {WINDOW_DAYS} days",
            desc="Searches, searches followed by a click on a result, cart adds and purchases attributed to them.",
            chart_id="analytics-search-funnel",
        )
        panel["table"] = chart_table(stages, caption="Search conversion", label_header="Stage", value_header="Count")
    return panel


def zero_result_panel():
    report = _search_trends()
    rows = report["zero_result_queries"]
    if report["stale"] and report["as_of"] is None:
        note = _stale_note(report)
    elif not rows:
        note = f"Every search of the last {WINDOW_DAYS} days found something."
    else:
        note = _stale_note(report) or f"Searches of the last {WINDOW_DAYS} days that found nothing: add or rename."
    return {
        "link": _search_export_url(),
        "note": note,
        "items": [
            {"label": "Searches without results", "value": report["zero_result_searches"] or 0, "url": ""},
            *({"label": row["query"], "value": row["zero_results"], "url": ""} for row in rows),
        ],
    }


def ratings_panel():
    report = cached(
        "analytics-ratings",
        lambda: read_or_last_good("rating_distribution", selectors.rating_distribution, empty=_no_ratings),
    )
    stars = [(f"{star} ★", report["distribution"][f"{star}_star"]) for star in range(5, 0, -1)]
    panel = {
        "link": _changelist("reviews_review", status__exact="approved"),
        "note": _stale_note(report)
        or (
            f"Approved reviews of {report['products']} products (last feedback analytics run)."
            if report["products"]
            else "No feedback analytics yet."
        ),
        "items": [
            {"label": "Reviews", "value": report["total_reviews"], "url": ""},
            {"label": "Average rating", "value": report["avg_rating"] or "—", "url": ""},
        ],
    }
    if report["total_reviews"]:
        panel["chart"] = bar_chart_svg(
            stars,
            title="Rating distribution",
            desc="Approved reviews by star rating, all products.",
            chart_id="analytics-ratings",
        )
        panel["table"] = chart_table(
            stars, caption="Rating distribution", label_header="Rating", value_header="Reviews"
        )
    return panel


def _no_ratings():
    return {"products": 0, "total_reviews": 0, "avg_rating": None, "distribution": selectors.empty_distribution()}


def recommendations_panel():
    report = cached(
        "analytics-models",
        lambda: read_or_last_good("model_performance_latest", selectors.model_performance_latest, empty=_no_models),
    )
    models = report["models"]
    return {
        "link": _changelist("ml_etlrun", job__exact="recommendations_precompute"),
        "note": _stale_note(report)
        or (
            "Latest held-out evaluation per model (benchmarks/recommendations.py): nDCG@10 · precision@10 · coverage."
            if models
            else "No model evaluation stored yet: run benchmarks/recommendations.py."
        ),
        "items": [
            {
                "label": f"{row['model_name']} ({row['split']}, {row['evaluation_date'][:10]})",
                "value": f"{row['ndcg_at_10']:.3f} · {row['precision_at_10']:.3f} · {_percent(row['coverage'])}",
                "url": "",
            }
            for row in models
        ],
    }


def _no_models():
    return {"models": []}


def register():
    register_panel(
        key="analytics-sales", title="Sales trend", permission="orders.view_order", build=sales_trend_panel, order=15
    )
    register_panel(
        key="analytics-products",
        title="Product performance",
        permission="orders.view_order",
        build=product_performance_panel,
        order=45,
    )
    register_panel(
        key="analytics-search",
        title="Search conversion",
        permission="ml.view_analyticsdocument",
        build=search_funnel_panel,
        order=110,
    )
    register_panel(
        key="analytics-zero-results",
        title="Searches without results",
        permission="ml.view_analyticsdocument",
        build=zero_result_panel,
        order=120,
    )
    register_panel(
        key="analytics-ratings",
        title="Review ratings",
        permission="reviews.view_review",
        build=ratings_panel,
        order=130,
    )
    register_panel(
        key="analytics-recommendations",
        title="Recommendation models",
        permission="ml.view_analyticsdocument",
        build=recommendations_panel,
        order=140,
    )
