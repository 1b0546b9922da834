"""``feedback_analytics`` per product, from approved reviews, purchases and progress journals.

- ratings: distribution, aspect averages, results / recommend / repurchase rates, per skin type;
- trend: an ordinary least-squares line through every approved review's rating against its month
  (months since the first review); ``trend_direction`` is improving / declining only when the
  slope differs from 0 at the 5% level (two-sided t test), stable otherwise, and
  ``insufficient_data`` under 3 reviews or a single month;
- efficacy curve: for each week of use, among users with a progress entry that week, how many
  reported each improvement (any entry that week), overall and per journal skin type.

- sentiment (``sentiment_analysis``, only once some of the product's reviews were analysed): the mean
  score, the share in each of the seed's five bands, aspect sentiments and recurring themes, from
  the fields ml stores on each approved review (``reviews.selectors.sentiment_summary``)."""

from collections import Counter, defaultdict

from django.db.models import Count, F

from ml.etl.common import PURCHASED, mean, ratio
from ml.etl.runner import JobResult
from ml.etl.stats import linear_trend
from ml.sentiment import BANDS, band
from ml.store import get_store, iso
from reviews.models import ContentStatus, ProgressEntry, Review
from reviews.selectors import sentiment_summary
from shop.orders.models import OrderItem

IMPROVEMENTS = [
    "acne_reduced", "skin_texture_improved", "hydration_improved", "redness_reduced", "pores_minimized",
    "brightness_improved", "scarring_reduced", "oil_control_improved", "fine_lines_reduced",
]  # fmt: skip
ASPECTS = {
    "avg_effectiveness": "effectiveness_rating",
    "avg_texture": "texture_rating",
    "avg_scent": "scent_rating",
    "avg_packaging": "packaging_rating",
    "avg_value": "value_for_money_rating",
}
SIGNIFICANCE = 0.05
UNSPECIFIED = "unspecified"


def _rates(reviews):
    return {
        "review_count": len(reviews),
        "avg_rating": mean([r["rating"] for r in reviews]),
        "results_rate": ratio(sum(r["visible_results"] for r in reviews), len(reviews)),
        "recommendation_rate": ratio(sum(r["would_recommend"] for r in reviews), len(reviews)),
    }


def _month_index(moment):
    return moment.year * 12 + moment.month - 1


def _trend(reviews):
    if not reviews:
        return {
            "monthly_ratings": [],
            "trend_direction": "insufficient_data",
            "momentum_score": None,
            "trend_fit": None,
        }
    by_month = defaultdict(list)
    for review in reviews:
        by_month[review["created_at"].strftime("%Y-%m")].append(review)
    monthly = [
        {
            "month": month,
            "avg_rating": mean([r["rating"] for r in rows]),
            "review_count": len(rows),
            "results_rate": ratio(sum(r["visible_results"] for r in rows), len(rows)),
        }
        for month, rows in sorted(by_month.items())
    ]
    first = min(_month_index(r["created_at"]) for r in reviews)
    fit = linear_trend([_month_index(r["created_at"]) - first for r in reviews], [r["rating"] for r in reviews])
    if fit is None:
        return {"monthly_ratings": monthly, "trend_direction": "insufficient_data", "momentum_score": None,
                "trend_fit": None}  # fmt: skip
    direction = "stable"
    if fit.p_value < SIGNIFICANCE:
        direction = "improving" if fit.slope > 0 else "declining"
    return {
        "monthly_ratings": monthly,
        "trend_direction": direction,
        "momentum_score": round(fit.slope, 4),
        "trend_fit": {
            "slope_per_month": round(fit.slope, 4),
            "std_error": round(fit.std_error, 4),
            "p_value": round(fit.p_value, 4),
            "confidence": round(fit.confidence, 4),
            "reviews": fit.n,
            "months": len(monthly),
        },
    }


def _usage(reviews):
    frequencies = Counter(r["how_often_used"] for r in reviews if r["how_often_used"])
    combined = Counter(pid for r in reviews for pid in (r["used_with_other_products"] or []) if isinstance(pid, int))
    return {
        "most_common_frequency": min(frequencies, key=lambda f: (-frequencies[f], f)) if frequencies else None,
        "frequency_counts": dict(sorted(frequencies.items())),
        "avg_usage_duration_days": mean([r["usage_duration"] for r in reviews]),
        "commonly_combined_with": [pid for pid, _ in sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
    }


def efficacy_curve(entries):
    """entries: dicts with user, skin_type, week_number and the improvement flags."""
    groups = defaultdict(lambda: defaultdict(lambda: {"users": set(), **{flag: set() for flag in IMPROVEMENTS}}))
    for entry in entries:
        for group in ("all", entry["skin_type"] or UNSPECIFIED):
            week = groups[group][entry["week_number"]]
            week["users"].add(entry["user_id"])
            for flag in IMPROVEMENTS:
                if entry[flag]:
                    week[flag].add(entry["user_id"])
    return {
        group: [
            {
                "week": number,
                "users": len(week["users"]),
                "improvements": {
                    flag: {"count": len(week[flag]), "share": ratio(len(week[flag]), len(week["users"]))}
                    for flag in IMPROVEMENTS
                },
            }
            for number, week in sorted(weeks.items())
        ]
        for group, weeks in sorted(groups.items())
    }


def _repurchase_rates(product_ids):
    """Share of each product's registered buyers who bought it in two or more orders."""
    orders = (
        OrderItem.objects.filter(product_id__in=product_ids, order__status__in=PURCHASED, order__user__isnull=False)
        .values("product_id", "order__user_id")
        .annotate(orders=Count("order", distinct=True))
    )
    buyers, repeat = Counter(), Counter()
    for row in orders:
        buyers[row["product_id"]] += 1
        repeat[row["product_id"]] += row["orders"] >= 2
    return {pid: ratio(repeat[pid], buyers[pid]) for pid in product_ids}


def sentiment_analysis(reviews):
    """The seed's ``sentiment_analysis`` block, or None while none of the reviews was analysed."""
    analysed = [r for r in reviews if r["sentiment_score"] is not None]
    if not analysed:
        return None
    summary = sentiment_summary((r["sentiment_score"], r["sentiment_label"], r["extracted_topics"]) for r in analysed)
    bands = Counter(band(float(r["sentiment_score"])) for r in analysed)
    return {
        "overall_sentiment_score": summary["avg_score"],
        "analyzed_reviews": len(analysed),
        "sentiment_distribution": {name: ratio(bands[name], len(analysed)) for name in BANDS},
        "aspect_sentiments": summary["aspects"],
        "positive_themes": summary["positive_themes"],
        "negative_themes": summary["negative_themes"],
    }


def feedback_analytics(*, as_of, progress):
    store = get_store()
    reviews = defaultdict(list)
    for review in Review.objects.filter(status=ContentStatus.APPROVED).values(
        "product_id", "rating", "visible_results", "would_recommend", "skin_type_at_review", "usage_duration",
        "how_often_used", "used_with_other_products", "created_at", *ASPECTS.values(),
        "sentiment_score", "sentiment_label", "extracted_topics",
    ).order_by("product_id", "created_at", "pk"):  # fmt: skip
        reviews[review["product_id"]].append(review)
    entries = defaultdict(list)
    for entry in ProgressEntry.objects.values(
        "journal__product_id",
        "week_number",
        *IMPROVEMENTS,
        user_id=F("journal__user_id"),
        skin_type=F("journal__skin_type"),
    ).order_by("pk"):
        entries[entry["journal__product_id"]].append(entry)
    product_ids = sorted(set(reviews) | set(entries))
    repurchase = _repurchase_rates(product_ids)

    keyed = []
    for index, product_id in enumerate(product_ids, start=1):
        rows = reviews.get(product_id, [])
        by_skin = defaultdict(list)
        for review in rows:
            by_skin[review["skin_type_at_review"] or UNSPECIFIED].append(review)
        summary = {
            "total_reviews": len(rows),
            "avg_rating": mean([r["rating"] for r in rows]),
            "rating_distribution": {f"{star}_star": sum(r["rating"] == star for r in rows) for star in range(5, 0, -1)},
            "effectiveness_scores": {name: mean([r[field] for r in rows]) for name, field in ASPECTS.items()},
            "results_rate": ratio(sum(r["visible_results"] for r in rows), len(rows)),
            "recommendation_rate": ratio(sum(r["would_recommend"] for r in rows), len(rows)),
            "repurchase_rate": repurchase[product_id],
            "usage_patterns": _usage(rows),
            "skin_type_performance": {skin: _rates(group) for skin, group in sorted(by_skin.items())},
        }
        doc = {
            "product_id": product_id,
            "analysis_date": iso(as_of),
            "feedback_summary": summary,
            "feedback_trends": _trend(rows),
            "efficacy_curve": efficacy_curve(entries.get(product_id, [])),
        }
        if (sentiment := sentiment_analysis(rows)) is not None:
            doc["sentiment_analysis"] = sentiment
        keyed.append((str(product_id), doc))
        progress(index, len(product_ids))
    written = store.upsert_many("feedback_analytics", keyed)
    kept = set(product_ids)
    for doc in store.find("feedback_analytics"):
        if doc["product_id"] not in kept:
            store.delete("feedback_analytics", {"product_id": doc["product_id"]})
    read = sum(len(r) for r in reviews.values()) + sum(len(e) for e in entries.values())
    return JobResult(rows_read=read, rows_written=written)
