"""Analytics and ML panels of the admin dashboard.

Registered from ``MlConfig.ready()`` into the shop's panel registry (``skincare.dashboard``); the
figures come from the staff analytics selectors (the same reads as ``/api/v1/staff/analytics``),
cached briefly like every panel. Store-backed panels read through ``ml.freshness``: while the
analytics store is down they show the last good figures with the time they were read.
Each panel reads the same selector, with the same freshness wrapper, as its staff endpoint, and links
to that endpoint's CSV twin. Money and customer panels need ``orders.view_order`` (admins); the
ratings, sentiment, feedback, skin-type, community and efficacy panels need ``reviews.view_review``
(moderators too); search, recommendation and model panels need ``ml.view_analyticsdocument`` (admins).
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ml import selectors
from ml.freshness import read_or_last_good
from shop.accounts.models import SkinType
from shop.catalog.models import Product
from skincare.charts import bar_chart_svg, chart_table, figures_table, stacked_bar_chart_svg
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
        return _("The analytics store is not answering: no figures could be read yet.")
    return _("The analytics store is not answering: figures as of %(when)s UTC.") % {
        "when": f"{report['as_of']:%Y-%m-%d %H:%M}"
    }


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


# --- Issue 13/14 panels: recommendation click-through, sentiment, customers, feedback, skin types,
# community and efficacy. Each reads what its staff endpoint reads and links to its CSV twin. ---

SENTIMENT_WEEKS = 12
EFFICACY_PRODUCTS = 3
IMPROVEMENT_LABELS = {
    "acne_reduced": gettext_lazy("fewer breakouts"),
    "skin_texture_improved": gettext_lazy("smoother texture"),
    "hydration_improved": gettext_lazy("better hydration"),
    "redness_reduced": gettext_lazy("less redness"),
    "pores_minimized": gettext_lazy("smaller pores"),
    "brightness_improved": gettext_lazy("brighter skin"),
    "scarring_reduced": gettext_lazy("fading scars"),
    "oil_control_improved": gettext_lazy("less oiliness"),
    "fine_lines_reduced": gettext_lazy("fewer fine lines"),
}
TREND_LABELS = {
    "improving": gettext_lazy("improving"),
    "declining": gettext_lazy("declining"),
    "stable": gettext_lazy("stable"),
    "insufficient_data": gettext_lazy("too few reviews for a trend"),
}


def _export(url_name, *args, **params):
    url = reverse(url_name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def _range(date_from, date_to):
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}


def _product_names(product_ids):
    """Names for the product ids a store report carries (one query, whatever the count)."""
    return dict(Product.objects.filter(pk__in=set(product_ids)).values_list("pk", "name"))


def _skin_type_label(value):
    try:
        return SkinType(value).label
    except ValueError:
        return _("not given") if value == "unspecified" else value


def _share(value):
    return None if value is None else round(value * 100, 1)


def recommendation_ctr_panel():
    date_from, date_to = _window(WINDOW_DAYS)
    report = read_or_last_good(
        "recommendation_click_through",
        selectors.recommendation_click_through,
        empty=selectors.recommendation_click_through_empty,
        date_from=date_from,
        date_to=date_to,
    )
    totals = report["totals"]
    export = _export("staff-analytics-recommendations-csv", **_range(date_from, date_to))
    panel = {
        "link": export,
        "export": export,
        "note": _stale_note(report)
        or (
            _("Recommended products shown and clicked over the last %(days)d days, per list and page.")
            if totals and totals["impressions"]
            else _("No recommendation was shown in the last %(days)d days.")
        )
        % {"days": WINDOW_DAYS},
        "items": [
            {"label": _("Shown"), "value": "—" if totals is None else totals["impressions"], "url": ""},
            {"label": _("Clicked"), "value": "—" if totals is None else totals["clicks"], "url": ""},
            {"label": _("Not interested"), "value": "—" if totals is None else totals["ignores"], "url": ""},
            {
                "label": _("Click-through"),
                "value": _percent(totals and totals["click_through_rate"]),
                "url": "",
            },
            *(
                {
                    "label": _("%(list)s on %(page)s")
                    % {"list": row["recommendation_type"] or "—", "page": row["page_type"] or "—"},
                    "value": f"{row['clicks']} / {row['impressions']} · {_percent(row['click_through_rate'])}",
                    "url": "",
                }
                for row in report["surfaces"][:TOP]
            ),
        ],
    }
    if not (totals and totals["impressions"]):
        return panel
    by_day = {row["date"]: row for row in report["days"]}
    days = [date_from + timedelta(days=n) for n in range(WINDOW_DAYS)]
    rows = [(day, by_day.get(day.isoformat())) for day in days]
    panel["chart"] = bar_chart_svg(
        [(date_format(day, "j M"), _share(row and row["click_through_rate"]) or 0) for day, row in rows],
        title=_("Recommendation click-through by day (%%), last %(days)d days") % {"days": WINDOW_DAYS},
        desc=_("Clicks on recommended products as a percentage of the products shown, per day."),
        chart_id="analytics-recommendation-ctr",
    )
    panel["table"] = figures_table(
        [
            (
                date_format(day, "j M Y"),
                row["impressions"] if row else 0,
                row["clicks"] if row else 0,
                _percent(row and row["click_through_rate"]),
            )
            for day, row in rows
        ],
        caption=_("Recommendation click-through by day"),
        headers=[_("Day"), _("Shown"), _("Clicked"), _("Click-through")],
    )
    return panel


def sentiment_panel():
    today = datetime.now(UTC).date()
    date_from = today - timedelta(days=today.weekday(), weeks=SENTIMENT_WEEKS - 1)
    report = selectors.sentiment_by_week(date_from=date_from, date_to=today)
    totals = report["totals"]
    weeks = {row["week_start"]: row for row in report["weeks"]}
    mondays = [date_from + timedelta(weeks=n) for n in range(SENTIMENT_WEEKS)]
    export = _export("staff-analytics-sentiment-csv", **_range(date_from, today))
    panel = {
        "link": export,
        "export": export,
        "note": _("Approved reviews of the last %(weeks)d weeks by the sentiment read from their text.")
        % {"weeks": SENTIMENT_WEEKS}
        if totals["reviews"]
        else _("No approved review with a sentiment in the last %(weeks)d weeks.") % {"weeks": SENTIMENT_WEEKS},
        "items": [
            {"label": _("Reviews with a sentiment"), "value": totals["reviews"], "url": ""},
            {"label": _("Positive"), "value": _percent(totals["positive_share"]), "url": ""},
            {"label": _("Neutral"), "value": _percent(totals["neutral_share"]), "url": ""},
            {"label": _("Negative"), "value": _percent(totals["negative_share"]), "url": ""},
        ],
    }
    if not totals["reviews"]:
        return panel
    series = [
        (_("Positive"), "chart-positive", "#2e7d5b"),
        (_("Neutral"), "chart-neutral", "#8a8a8a"),
        (_("Negative"), "chart-negative", "#b5546b"),
    ]
    shares = [
        (monday, [_share(weeks[monday][f"{label}_share"]) if monday in weeks else 0 for label in selectors.SENTIMENTS])
        for monday in mondays
    ]
    panel["chart"] = stacked_bar_chart_svg(
        [(date_format(monday, "j M"), values) for monday, values in shares],
        series=series,
        title=_("Review sentiment by week (%%), last %(weeks)d weeks") % {"weeks": SENTIMENT_WEEKS},
        desc=_("Share of positive, neutral and negative reviews among the approved reviews written each week."),
        chart_id="analytics-sentiment",
    )
    panel["table"] = figures_table(
        [
            (
                date_format(monday, "j M Y"),
                weeks[monday]["reviews"] if monday in weeks else 0,
                *(
                    _percent(weeks[monday][f"{label}_share"]) if monday in weeks else "—"
                    for label in selectors.SENTIMENTS
                ),
            )
            for monday in mondays
        ],
        caption=_("Review sentiment by week"),
        headers=[_("Week of"), _("Reviews"), _("Positive"), _("Neutral"), _("Negative")],
    )
    return panel


def customers_panel():
    date_from, date_to = _window(WINDOW_DAYS)
    report = read_or_last_good(
        "customer_report",
        selectors.customer_report,
        empty=selectors.customer_report_empty,
        date_from=date_from,
        date_to=date_to,
    )
    days = report["days"]

    def total(field):
        return sum(day[field] or 0 for day in days)

    latest = next((day for day in reversed(days) if day["total_users"] is not None), None)
    export = _export("staff-analytics-customers-csv", **_range(date_from, date_to))
    panel = {
        "link": export,
        "export": export,
        "note": _stale_note(report)
        or _("Daily roll-ups of the last %(days)d days (days not rolled up yet are left out).") % {"days": WINDOW_DAYS},
        "items": [
            {"label": _("New registrations"), "value": total("new_registrations"), "url": ""},
            {"label": _("New customers (first order)"), "value": total("new_customers"), "url": ""},
            {"label": _("Returning customers"), "value": total("returning_customers"), "url": ""},
            {"label": _("Active users (last day)"), "value": latest["active_users"] if latest else "—", "url": ""},
            {"label": _("Registered users"), "value": latest["total_users"] if latest else "—", "url": ""},
        ],
    }
    if not days:
        return panel
    by_day = {day["date"]: day for day in days}
    window = [date_from + timedelta(days=n) for n in range(WINDOW_DAYS)]

    def counts(day):
        row = by_day.get(day.isoformat()) or {}
        return row.get("new_customers") or 0, row.get("returning_customers") or 0

    rows = [(day, *counts(day)) for day in window]
    panel["chart"] = stacked_bar_chart_svg(
        [(date_format(day, "j M"), [new, returning]) for day, new, returning in rows],
        series=[(_("New"), "chart-new", "#c96f8b"), (_("Returning"), "chart-returning", "#2e7d5b")],
        title=_("New and returning customers by day, last %(days)d days") % {"days": WINDOW_DAYS},
        desc=_("Customers who placed their first order that day, and customers who had ordered before."),
        chart_id="analytics-customers",
    )
    panel["table"] = figures_table(
        [(date_format(day, "j M Y"), new, returning) for day, new, returning in rows],
        caption=_("New and returning customers by day"),
        headers=[_("Day"), _("New"), _("Returning")],
    )
    return panel


def _feedback_overview():
    return cached(
        "analytics-feedback-overview",
        lambda: read_or_last_good(
            "feedback_overview", selectors.feedback_overview, empty=selectors.feedback_overview_empty, limit=TOP
        ),
    )


def feedback_panel():
    report = _feedback_overview()
    rows = report["products"]
    names = _product_names(row["product_id"] for row in rows)
    export = _export("staff-analytics-feedback-csv", limit=100)
    panel = {
        "link": export,
        "export": export,
        "note": _stale_note(report)
        or (
            _("Most reviewed products (last feedback analytics run): reviews · average rating · trend.")
            if rows
            else _("No feedback analytics yet.")
        ),
        "items": [
            {
                "label": names.get(row["product_id"], f"#{row['product_id']}"),
                "value": f"{row['total_reviews']} · {row['avg_rating'] or '—'} ★ · "
                f"{TREND_LABELS.get(row['trend_direction'], row['trend_direction'])}",
                "url": _changelist("reviews_review", product__id__exact=row["product_id"]),
            }
            for row in rows
        ],
    }
    if rows:
        panel["table"] = figures_table(
            [
                (
                    names.get(row["product_id"], f"#{row['product_id']}"),
                    row["total_reviews"],
                    row["avg_rating"],
                    _percent(row["results_rate"]),
                    _percent(row["recommendation_rate"]),
                    _percent(row["repurchase_rate"]),
                    TREND_LABELS.get(row["trend_direction"], row["trend_direction"]),
                )
                for row in rows
            ],
            caption=_("Feedback of the most reviewed products"),
            headers=[
                _("Product"),
                _("Reviews"),
                _("Average rating"),
                _("Saw results"),
                _("Recommend"),
                _("Would buy again"),
                _("Rating trend"),
            ],
        )
    return panel


def skin_types_panel():
    report = read_or_last_good(
        "skin_type_insights", selectors.skin_type_insights, empty=selectors.skin_type_insights_empty, limit=1
    )
    rows = report["skin_types"]
    names = _product_names(top["product_id"] for row in rows for top in row["top_products"])

    def best(row):
        return names.get(row["top_products"][0]["product_id"], "—") if row["top_products"] else "—"

    export = _export("staff-analytics-skin-types-csv")
    panel = {
        "link": export,
        "export": export,
        "note": _stale_note(report)
        or (
            _("Reviews by the reviewer's skin type: reviews · average rating · saw results.")
            if rows
            else _("No feedback analytics yet.")
        ),
        "items": [
            {
                "label": _skin_type_label(row["skin_type"]),
                "value": f"{row['review_count']} · {row['avg_rating'] or '—'} ★ · {_percent(row['results_rate'])}",
                "url": "",
            }
            for row in rows
        ],
    }
    if rows:
        points = [(_skin_type_label(row["skin_type"]), row["review_count"]) for row in rows]
        panel["chart"] = bar_chart_svg(
            points,
            title=_("Reviews by skin type"),
            desc=_("Approved reviews by the skin type the reviewer gave, all products."),
            chart_id="analytics-skin-types",
        )
        panel["table"] = figures_table(
            [
                (
                    _skin_type_label(row["skin_type"]),
                    row["review_count"],
                    row["avg_rating"],
                    _percent(row["results_rate"]),
                    best(row),
                )
                for row in rows
            ],
            caption=_("Reviews by skin type"),
            headers=[_("Skin type"), _("Reviews"), _("Average rating"), _("Saw results"), _("Best rated product")],
        )
    return panel


def community_panel():
    date_from, date_to = _window(WINDOW_DAYS)
    report = selectors.community_health(date_from=date_from, date_to=date_to)
    export = _export("staff-analytics-community-csv", **_range(date_from, date_to))

    def outcome(kind):
        row = report[kind]
        return f"{row['submitted']} · {row['awaiting_moderation']} · {_percent(row['approval_rate'])}"

    volumes = [
        (_("Reviews"), report["reviews"]["submitted"]),
        (_("Questions"), report["questions"]["submitted"]),
        (_("Answers"), report["answers"]["submitted"]),
        (_("Journal entries"), report["progress_entries"]),
    ]
    return {
        "link": export,
        "export": export,
        "note": _("Written in the last %(days)d days: submitted · awaiting moderation · approved.")
        % {"days": WINDOW_DAYS},
        "items": [
            {"label": _("Reviews"), "value": outcome("reviews"), "url": _changelist("reviews_review")},
            {"label": _("Questions"), "value": outcome("questions"), "url": _changelist("reviews_question")},
            {"label": _("Answers"), "value": outcome("answers"), "url": _changelist("reviews_answer")},
            {"label": _("Questions answered"), "value": _percent(report["answered_question_rate"]), "url": ""},
            {"label": _("Journal entries"), "value": report["progress_entries"], "url": ""},
            {"label": _("Contributors"), "value": report["contributors"], "url": ""},
        ],
        "chart": bar_chart_svg(
            volumes,
            title=_("Community contributions, last %(days)d days") % {"days": WINDOW_DAYS},
            desc=_("Reviews, questions, answers and progress-journal entries written in the period."),
            chart_id="analytics-community",
        ),
        "table": chart_table(
            volumes, caption=_("Community contributions"), label_header=_("Kind"), value_header=_("Written")
        ),
    }


EFFICACY_MIN_USERS = 5


def efficacy_headline(weeks):
    """The week and the improvement a panel line speaks of: the latest week with at least
    ``EFFICACY_MIN_USERS`` users (else the week with the most users, the latest of ties), and the
    improvement most users reported that week (ties: the listed order; None when nobody did)."""
    enough = [week for week in weeks if week["users"] >= EFFICACY_MIN_USERS]
    week = enough[-1] if enough else max(reversed(weeks), key=lambda week: week["users"])
    flag = max(IMPROVEMENT_LABELS, key=lambda name: week["improvements"][name]["count"])
    return week, (flag if week["improvements"][flag]["count"] else None)


def efficacy_panel():
    overview = _feedback_overview()
    product_ids = tuple(row["product_id"] for row in overview["products"][:EFFICACY_PRODUCTS])
    curves = read_or_last_good(
        "efficacy_for_products",
        selectors.efficacy_for_products,
        empty=selectors.efficacy_for_products_empty,
        product_ids=product_ids,
    )
    reports = {report["product_id"]: report for report in curves["products"]}
    reports = [reports.get(pid) or selectors.efficacy_empty(product_id=pid) for pid in product_ids]
    names = _product_names(product_ids)
    stale = next((report for report in (overview, curves) if report["stale"]), None)
    items, chart_of = [], None
    for report in reports:
        weeks = report["curves"].get("all", [])
        name = names.get(report["product_id"], f"#{report['product_id']}")
        if not weeks:
            items.append({"label": name, "value": _("no journal entries yet"), "url": ""})
            continue
        week, flag = efficacy_headline(weeks)
        url = _export("staff-analytics-efficacy-csv", report["product_id"])
        if flag is None:
            value = ngettext(
                "no improvement reported by week %(week)d (%(users)d user)",
                "no improvement reported by week %(week)d (%(users)d users)",
                week["users"],
            ) % {"week": week["week"], "users": week["users"]}
            items.append({"label": name, "value": value, "url": url})
            continue
        value = ngettext(
            "by week %(week)d, %(share)s of %(users)d user: %(improvement)s",
            "by week %(week)d, %(share)s of %(users)d users: %(improvement)s",
            week["users"],
        ) % {
            "week": week["week"],
            "share": _percent(week["improvements"][flag]["share"]),
            "users": week["users"],
            "improvement": IMPROVEMENT_LABELS[flag],
        }
        items.append({"label": name, "value": value, "url": url})
        if chart_of is None:
            chart_of = (name, flag, weeks, report["product_id"])
    panel = {
        "link": _changelist("reviews_progressjournal"),
        "note": (_stale_note(stale) if stale else None)
        or (
            _("From progress journals (last feedback analytics run), for the most reviewed products.")
            if product_ids
            else _("No feedback analytics yet.")
        ),
        "items": items,
    }
    if chart_of is not None:
        name, flag, weeks, product_id = chart_of
        points = [
            (_("week %(n)d") % {"n": week["week"]}, _share(week["improvements"][flag]["share"]) or 0) for week in weeks
        ]
        label = IMPROVEMENT_LABELS[flag]
        panel["export"] = _export("staff-analytics-efficacy-csv", product_id)
        panel["chart"] = bar_chart_svg(
            points,
            title=_("%(product)s: users reporting %(improvement)s by week of use (%%)")
            % {"product": name, "improvement": label},
            desc=_("Share of the users with a journal entry that week who reported the improvement."),
            chart_id="analytics-efficacy",
            y_max=100,
        )
        panel["table"] = figures_table(
            [
                (
                    _("week %(n)d") % {"n": week["week"]},
                    week["users"],
                    week["improvements"][flag]["count"],
                    _percent(week["improvements"][flag]["share"]),
                )
                for week in weeks
            ],
            caption=_("%(product)s: users reporting %(improvement)s") % {"product": name, "improvement": label},
            headers=[_("Week of use"), _("Users"), _("Reported it"), _("Share")],
        )
    return panel


def register():
    for key, title, permission, build, order in (
        ("analytics-sales", "Sales trend", "orders.view_order", sales_trend_panel, 15),
        ("analytics-products", "Product performance", "orders.view_order", product_performance_panel, 45),
        ("analytics-search", "Search conversion", "ml.view_analyticsdocument", search_funnel_panel, 110),
        ("analytics-zero-results", "Searches without results", "ml.view_analyticsdocument", zero_result_panel, 120),
        ("analytics-ratings", "Review ratings", "reviews.view_review", ratings_panel, 130),
        ("analytics-recommendations", "Recommendation models", "ml.view_analyticsdocument", recommendations_panel, 140),
        ("analytics-customers", gettext_lazy("Customers"), "orders.view_order", customers_panel, 62),
        (
            "analytics-recommendation-ctr",
            gettext_lazy("Recommendation click-through"),
            "ml.view_analyticsdocument",
            recommendation_ctr_panel,
            125,
        ),
        ("analytics-sentiment", gettext_lazy("Review sentiment"), "reviews.view_review", sentiment_panel, 132),
        ("analytics-feedback", gettext_lazy("Product feedback"), "reviews.view_review", feedback_panel, 134),
        ("analytics-skin-types", gettext_lazy("Skin types"), "reviews.view_review", skin_types_panel, 136),
        ("analytics-efficacy", gettext_lazy("Efficacy from journals"), "reviews.view_review", efficacy_panel, 137),
        ("analytics-community", gettext_lazy("Community"), "reviews.view_review", community_panel, 138),
    ):
        register_panel(key=key, title=title, permission=permission, build=build, order=order)
