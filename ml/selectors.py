"""Reads for the staff analytics API: from the relational roll-ups and the analytics store."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek

from ml.etl.common import day_bounds, money, ratio
from ml.models import OrderAnalytics, ProductAnalytics
from ml.store import get_store, iso
from reviews.models import Answer, ContentStatus, ProgressEntry, Question, Review


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
    funnel = {field: sum(row[field] for row in rows) for field in ("clicked", "cart_adds", "purchases")}
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total_searches": len(searches),
        "click_through_rate": ratio(clicked, len(searches)),
        "zero_result_searches": sum(row["zero_results"] for row in rows),
        "funnel": funnel,  # searches with a click, cart adds and purchases over every query
        "top_queries": sorted(rows, key=lambda r: (-r["searches"], r["query"]))[:limit],
        "zero_result_queries": sorted(
            (r for r in rows if r["zero_results"]), key=lambda r: (-r["zero_results"], r["query"])
        )[:limit],
    }


def _efficacy(doc):
    return {"product_id": doc["product_id"], "analysis_date": doc["analysis_date"], "curves": doc["efficacy_curve"]}


def efficacy_for_product(*, product_id):
    """The product's efficacy curve from the last ``feedback_analytics`` run, or None."""
    doc = get_store().get("feedback_analytics", str(product_id))
    return None if doc is None else {**_efficacy(doc), "product_id": product_id}


def efficacy_for_products(*, product_ids):
    """The efficacy curves of several products in one read, in the order asked (products without
    an analysis left out): what the dashboard shows for the most reviewed products."""
    product_ids = list(product_ids)
    if not product_ids:
        return {"products": []}
    docs = {
        doc["product_id"]: doc for doc in get_store().find("feedback_analytics", {"product_id": {"$in": product_ids}})
    }
    return {"products": [_efficacy(docs[pid]) for pid in product_ids if pid in docs]}


def product_performance(*, date_from, date_to, limit):
    """Products by revenue over the range, from the ``product_analytics`` roll-up; conversion is
    orders over views for the whole range (None without views)."""
    rows = (
        ProductAnalytics.objects.filter(date__gte=date_from, date__lte=date_to)
        .values("product_id", "product__name")
        .annotate(views=Sum("views"), orders=Sum("orders"), revenue=Sum("revenue"))
        .order_by("-revenue", "-orders", "-views", "product_id")[:limit]
    )
    return {
        "date_from": date_from,
        "date_to": date_to,
        "products": [
            {
                "product_id": row["product_id"],
                "name": row["product__name"],
                "views": row["views"],
                "orders": row["orders"],
                "revenue": money(row["revenue"]),
                "conversion_rate": ratio(row["orders"], row["views"]),
            }
            for row in rows
        ],
    }


def feedback_overview(*, limit):
    """Per product, the headline figures of the last ``feedback_analytics`` run, most reviewed first."""
    docs = get_store().find(
        "feedback_analytics", sort=[("feedback_summary.total_reviews", -1), ("product_id", 1)], limit=limit
    )
    rows = []
    for doc in docs:
        summary, trends = doc["feedback_summary"], doc["feedback_trends"]
        fit = trends["trend_fit"] or {}
        rows.append(
            {
                "product_id": doc["product_id"],
                "analysis_date": doc["analysis_date"],
                "total_reviews": summary["total_reviews"],
                "avg_rating": summary["avg_rating"],
                "results_rate": summary["results_rate"],
                "recommendation_rate": summary["recommendation_rate"],
                "repurchase_rate": summary["repurchase_rate"],
                "trend_direction": trends["trend_direction"],
                "slope_per_month": fit.get("slope_per_month"),
                "p_value": fit.get("p_value"),
            }
        )
    return {"products": rows}


def skin_type_insights(*, limit):
    """Per skin type, across products (last ``feedback_analytics`` run): reviews, review-weighted
    average rating and results rate, and the best-rated products with at least 3 reviews."""
    totals = defaultdict(lambda: {"products": 0, "review_count": 0, "rating_sum": 0.0, "results_sum": 0.0, "top": []})
    for doc in get_store().find("feedback_analytics"):
        for skin_type, perf in doc["feedback_summary"]["skin_type_performance"].items():
            entry = totals[skin_type]
            entry["products"] += 1
            entry["review_count"] += perf["review_count"]
            entry["rating_sum"] += perf["avg_rating"] * perf["review_count"]
            entry["results_sum"] += perf["results_rate"] * perf["review_count"]
            if perf["review_count"] >= 3:
                entry["top"].append((perf["avg_rating"], perf["review_count"], doc["product_id"]))
    rows = []
    for skin_type, entry in sorted(totals.items()):
        count = entry["review_count"]
        best = sorted(entry["top"], key=lambda t: (-t[0], -t[1], t[2]))[:limit]
        rows.append(
            {
                "skin_type": skin_type,
                "products": entry["products"],
                "review_count": count,
                "avg_rating": round(entry["rating_sum"] / count, 2) if count else None,
                "results_rate": round(entry["results_sum"] / count, 4) if count else None,
                "top_products": [{"product_id": pid, "avg_rating": avg, "review_count": n} for avg, n, pid in best],
            }
        )
    return {"skin_types": rows}


def customer_report(*, date_from, date_to):
    """Per day: registrations, total and active users (``performance_metrics``) beside new and
    returning customers (``order_analytics``); days without a roll-up are absent."""
    metrics = {
        doc["date"]: doc["metrics"]
        for doc in get_store().find(
            "performance_metrics", {"date": {"$gte": iso(date_from), "$lte": iso(date_to)}}, sort=[("date", 1)]
        )
    }
    orders = {iso(row.date): row for row in OrderAnalytics.objects.filter(date__gte=date_from, date__lte=date_to)}
    days = []
    for day in sorted(set(metrics) | set(orders)):
        m, o = metrics.get(day, {}), orders.get(day)
        days.append(
            {
                "date": day,
                "new_registrations": m.get("new_registrations"),
                "total_users": m.get("total_users"),
                "active_users": m.get("active_users"),
                "new_customers": o.new_customers if o else None,
                "returning_customers": o.returning_customers if o else None,
            }
        )
    return {"date_from": date_from, "date_to": date_to, "days": days}


def community_health(*, date_from, date_to):
    """Feedback created in the range: volumes, moderation outcomes, answered questions, contributors."""
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    window = {"created_at__gte": start, "created_at__lt": end}

    def outcomes(model):
        counts = dict(
            model.objects.filter(**window).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        decided = counts.get(ContentStatus.APPROVED, 0) + counts.get(ContentStatus.REJECTED, 0)
        return {
            "submitted": sum(counts.values()),
            "approved": counts.get(ContentStatus.APPROVED, 0),
            "rejected": counts.get(ContentStatus.REJECTED, 0),
            "awaiting_moderation": counts.get(ContentStatus.PENDING, 0) + counts.get(ContentStatus.FLAGGED, 0),
            "approval_rate": ratio(counts.get(ContentStatus.APPROVED, 0), decided),
        }

    questions = Question.objects.filter(**window, status=ContentStatus.APPROVED)
    contributors = set()
    for model, field in ((Review, "user_id"), (Question, "user_id"), (Answer, "user_id"),
                         (ProgressEntry, "journal__user_id")):  # fmt: skip
        contributors.update(model.objects.filter(**window).exclude(**{field: None}).values_list(field, flat=True))
    approved_questions = questions.count()
    return {
        "date_from": date_from,
        "date_to": date_to,
        "reviews": outcomes(Review),
        "questions": outcomes(Question),
        "answers": outcomes(Answer),
        "answered_question_rate": ratio(questions.filter(is_answered=True).count(), approved_questions),
        "progress_entries": ProgressEntry.objects.filter(**window).count(),
        "contributors": len(contributors),
    }


RECOMMENDATION_ACTIONS = {"shown": "impressions", "clicked": "clicks", "ignored": "ignores"}


def _recommendation_counts():
    return {"impressions": 0, "clicks": 0, "ignores": 0}


def _with_rate(counts):
    return {**counts, "click_through_rate": ratio(counts["clicks"], counts["impressions"])}


def recommendation_click_through(*, date_from, date_to):
    """Recommendations shown, clicked and ignored in the range (``recommendation_feedback``): totals,
    per recommender and surface (page), and per day; click-through is clicks over impressions (one
    impression per product shown)."""
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    docs = get_store().find("recommendation_feedback", {"timestamp": {"$gte": iso(start), "$lt": iso(end)}})
    totals = _recommendation_counts()
    surfaces = defaultdict(_recommendation_counts)
    days = defaultdict(_recommendation_counts)
    for doc in docs:
        field = RECOMMENDATION_ACTIONS.get(doc["action"])
        if field is None:
            continue
        totals[field] += 1
        surfaces[(doc.get("recommendation_type") or "", doc.get("page_type") or "")][field] += 1
        days[doc["timestamp"][:10]][field] += 1
    return {
        "date_from": date_from,
        "date_to": date_to,
        "totals": _with_rate(totals),
        "surfaces": sorted(
            (
                {"recommendation_type": kind, "page_type": page, **_with_rate(counts)}
                for (kind, page), counts in surfaces.items()
            ),
            key=lambda row: (-row["impressions"], -row["clicks"], row["recommendation_type"], row["page_type"]),
        ),
        "days": [{"date": day, **_with_rate(days[day])} for day in sorted(days)],
    }


SENTIMENTS = ("positive", "neutral", "negative")


def sentiment_by_week(*, date_from, date_to):
    """Approved reviews written in the range that carry a sentiment label (``reviews.Review``
    ``sentiment_label``, set on approval), per week starting Monday (UTC): counts and shares."""
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    rows = (
        Review.objects.filter(status=ContentStatus.APPROVED, created_at__gte=start, created_at__lt=end)
        .exclude(sentiment_label="")
        .annotate(week=TruncWeek("created_at"))
        .values_list("week", "sentiment_label")
        .annotate(n=Count("pk"))
        .order_by("week", "sentiment_label")
    )
    weeks = defaultdict(lambda: dict.fromkeys(SENTIMENTS, 0))
    for week, label, n in rows:
        weeks[week.date() if hasattr(week, "date") else week][label] += n

    def shares(counts):
        total = sum(counts.values())
        return {
            "reviews": total,
            **counts,
            **{f"{label}_share": ratio(counts[label], total) for label in SENTIMENTS},
        }

    totals = dict.fromkeys(SENTIMENTS, 0)
    for counts in weeks.values():
        for label in SENTIMENTS:
            totals[label] += counts[label]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "totals": shares(totals),
        "weeks": [{"week_start": week, **shares(weeks[week])} for week in sorted(weeks)],
    }


STARS = range(5, 0, -1)


def empty_distribution():
    return {f"{star}_star": 0 for star in STARS}


def rating_distribution():
    """Approved reviews by star over every product (last ``feedback_analytics`` run), with the
    review-weighted average rating."""
    distribution, products = empty_distribution(), 0
    for doc in get_store().find("feedback_analytics"):
        products += 1
        for key, count in doc["feedback_summary"]["rating_distribution"].items():
            distribution[key] += count
    total = sum(distribution.values())
    weighted = sum(star * distribution[f"{star}_star"] for star in STARS)
    return {
        "products": products,
        "total_reviews": total,
        "avg_rating": round(weighted / total, 2) if total else None,
        "distribution": distribution,
    }


def model_performance_latest():
    """The newest ``model_performance`` document per model and split (held-out evaluations)."""
    latest = {}
    for doc in get_store().find("model_performance", sort=[("evaluation_date", -1)], limit=200):
        key = (doc["model_name"], doc.get("split", ""))
        if key in latest:
            continue
        metrics = doc["metrics"]
        latest[key] = {
            "model_name": doc["model_name"],
            "split": doc.get("split", ""),
            "evaluation_date": doc["evaluation_date"],
            "ndcg_at_10": metrics["ndcg_at_k"]["k10"],
            "precision_at_10": metrics["precision_at_k"]["k10"],
            "coverage": metrics.get("coverage"),
        }
    return {"models": sorted(latest.values(), key=lambda row: (-row["ndcg_at_10"], row["model_name"], row["split"]))}


# --- Empty reports: what staff get while the store is down before any good read (``ml.freshness``) ---


def search_trends_empty(*, date_from, date_to, limit):
    return {
        "date_from": date_from, "date_to": date_to, "total_searches": None, "click_through_rate": None,
        "zero_result_searches": None, "funnel": None, "top_queries": [], "zero_result_queries": [],
    }  # fmt: skip


def efficacy_empty(*, product_id):
    return {"product_id": product_id, "analysis_date": None, "curves": {}}


def efficacy_for_products_empty(*, product_ids):
    return {"products": []}


def feedback_overview_empty(*, limit):
    return {"products": []}


def skin_type_insights_empty(*, limit):
    return {"skin_types": []}


def customer_report_empty(*, date_from, date_to):
    return {"date_from": date_from, "date_to": date_to, "days": []}


def recommendation_click_through_empty(*, date_from, date_to):
    return {"date_from": date_from, "date_to": date_to, "totals": None, "surfaces": [], "days": []}


def efficacy_report(*, product_id):
    """What the staff efficacy endpoint serves: the curve, or an empty report (no analysis yet)."""
    return efficacy_for_product(product_id=product_id) or efficacy_empty(product_id=product_id)
