"""Reads: review lists and summaries, Q&A, progress journals, community dashboards.

Lists have a fixed number of queries whatever the page size (``select_related`` + ``Prefetch``).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, Exists, OuterRef, Prefetch, Q, Sum, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce

from reviews import cache as review_cache
from reviews.models import (
    ASPECT_FIELDS,
    IMPROVEMENT_FLAGS,
    SENTIMENT_ASPECTS,
    Answer,
    AnswerMedia,
    AnswerVote,
    ContentStatus,
    ProgressEntry,
    ProgressJournal,
    ProgressMedia,
    Question,
    QuestionMedia,
    QuestionVote,
    Review,
    ReviewMedia,
    ReviewVote,
    Urgency,
)
from shop.accounts.models import SkinType, User
from shop.catalog.apis import public_product_payload
from skincare.api.permissions import user_has_permission

REVIEW_SORTS = {
    "most_helpful": ["-helpful_votes_count", "-created_at", "-id"],
    "newest": ["-created_at", "-id"],
    "highest": ["-rating", "-created_at", "-id"],
    "lowest": ["rating", "-created_at", "-id"],
}
APPROVED = ContentStatus.APPROVED


def review_queryset(*, all_media=False):
    media = ReviewMedia.objects.select_related("file").order_by("sort_order", "id")
    if not all_media:
        media = media.filter(status=APPROVED)
    return Review.objects.select_related("user", "product").prefetch_related(Prefetch("media", queryset=media))


def reviews_for_product(
    *, product_id, rating=None, skin_type=None, with_photos=None, verified=None, visible_results=None, sort=None
):
    reviews = review_queryset().filter(product_id=product_id, status=APPROVED)
    if rating:
        reviews = reviews.filter(rating__in=rating)
    if skin_type:
        reviews = reviews.filter(skin_type_at_review__in=skin_type)
    if with_photos is not None:
        reviews = reviews.filter(media_count__gt=0) if with_photos else reviews.filter(media_count=0)
    if verified is not None:
        reviews = reviews.filter(is_verified_purchase=verified)
    if visible_results is not None:
        reviews = reviews.filter(visible_results=visible_results)
    return reviews.order_by(*REVIEW_SORTS.get(sort or "most_helpful", REVIEW_SORTS["most_helpful"]))


def review_get_visible(*, review_id, user):
    """Approved reviews for everyone; the author and moderators also see pending/rejected ones (and all media)."""
    authed = user is not None and user.is_authenticated
    review = Review.objects.filter(pk=review_id).only("id", "user_id", "status").first()
    if review is None:
        return None
    privileged = authed and (review.user_id == user.pk or user_has_permission(user, "reviews.view_review"))
    if review.status != APPROVED and not privileged:
        return None
    return review_queryset(all_media=privileged).get(pk=review_id)


def my_votes(*, user, review_ids) -> dict:
    if user is None or not user.is_authenticated or not review_ids:
        return {}
    return dict(ReviewVote.objects.filter(user=user, review_id__in=review_ids).values_list("review_id", "vote_type"))


def _rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def _round(value, digits=2):
    return round(float(value), digits) if value is not None else None


def _rating(value):
    """An average star rating as the catalog's ``rating_avg`` is: a decimal string with two places."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if value is not None else None


def _group_stats(row):
    count = row["count"]
    return {
        "count": count,
        "avg_rating": _rating(row["avg_rating"]),
        "recommend_rate": _rate(row["recommend"], count),
        "results_rate": _rate(row["results"], count),
        "verified_count": row["verified"],
        "aspects": {field.removesuffix("_rating"): _round(row[f"avg_{field}"]) for field in ASPECT_FIELDS},
    }


THEMES_SHOWN = 5
PHRASES_PER_THEME = 3


def sentiment_summary(rows) -> dict:
    """Sentiment of reviews from the fields ml stores on approval: ``rows`` of (score, label, topics).

    Reviews not analysed yet (score None) are left out. Themes are counted once per review, most
    frequent first (then by name), with up to three example phrases from the strongest reviews.
    """
    rows = [(float(score), label, topics or []) for score, label, topics in rows if score is not None]
    aspects = {name: [] for name in SENTIMENT_ASPECTS}
    themes = {"positive": {}, "negative": {}}
    for _, _, topics in rows:
        for topic in topics:
            if topic.get("kind") == "aspect" and topic.get("name") in aspects:
                aspects[topic["name"]].append(topic["sentiment"])
            elif topic.get("kind") == "theme" and topic.get("polarity") in themes:
                themes[topic["polarity"]].setdefault(topic["name"], []).append(topic)

    def theme_list(polarity):
        found = sorted(themes[polarity].items(), key=lambda kv: (-len(kv[1]), kv[0]))[:THEMES_SHOWN]
        return [
            {
                "theme": name,
                "frequency": len(items),
                "avg_sentiment": round(sum(t["sentiment"] for t in items) / len(items), 4),
                "example_phrases": [
                    t["phrase"] for t in sorted(items, key=lambda t: -abs(t["sentiment"]))[:PHRASES_PER_THEME]
                ],
            }
            for name, items in found
        ]

    return {
        "analyzed_count": len(rows),
        "avg_score": round(sum(r[0] for r in rows) / len(rows), 4) if rows else None,
        "labels": {label: sum(r[1] == label for r in rows) for label in ("positive", "neutral", "negative")},
        "aspects": {name: round(sum(v) / len(v), 4) if v else None for name, v in aspects.items()},
        "positive_themes": theme_list("positive"),
        "negative_themes": theme_list("negative"),
    }


def review_summary_cached(*, product_id, with_sentiment=False) -> dict:
    """``review_summary`` from the cache (``reviews.cache``): no query on a hit for an active product;
    ``PRODUCT_NOT_FOUND`` for unknown or unpublished products. When the catalog's cached payload of the
    product is missing it is built (and cached) here, so the next hit needs no query either."""
    summary, product_known, version = review_cache.summary_lookup(product_id=product_id, with_sentiment=with_sentiment)
    if not product_known:
        public_product_payload(product_id)
    if summary is None:
        summary = review_summary(product_id=product_id, with_sentiment=with_sentiment)
        review_cache.summary_store(
            product_id=product_id, with_sentiment=with_sentiment, version=version, summary=summary
        )
    return summary


def review_summary(*, product_id, with_sentiment=False) -> dict:
    """Histogram, aspect averages, recommend and results rates, overall and by skin type (3 queries);
    ``with_sentiment`` adds the sentiment of the analysed reviews with their recurring themes (a 4th)."""
    reviews = Review.objects.filter(product_id=product_id, status=APPROVED)
    aggregates = {
        "count": Count("id"),
        "avg_rating": Avg("rating"),
        "recommend": Count("id", filter=Q(would_recommend=True)),
        "results": Count("id", filter=Q(visible_results=True)),
        "verified": Count("id", filter=Q(is_verified_purchase=True)),
        "with_photos": Count("id", filter=Q(media_count__gt=0)),
        **{f"avg_{field}": Avg(field) for field in ASPECT_FIELDS},
    }
    overall = reviews.aggregate(**aggregates)
    by_type = list(reviews.values("skin_type_at_review").annotate(**{k: v for k, v in aggregates.items()}).order_by())
    histogram_rows = reviews.values_list("skin_type_at_review", "rating").annotate(n=Count("id")).order_by()

    histogram = {str(star): 0 for star in range(5, 0, -1)}
    histograms_by_type = {}
    for skin_type, rating, n in histogram_rows:
        histogram[str(rating)] += n
        histograms_by_type.setdefault(skin_type or "unknown", {str(star): 0 for star in range(5, 0, -1)})[
            str(rating)
        ] = n
    summary = _group_stats(overall)
    summary.update(
        {
            "product_id": product_id,
            "histogram": histogram,
            "histogram_percent": {k: _rate(v, overall["count"]) for k, v in histogram.items()},
            "with_photos_count": overall["with_photos"],
        }
    )
    breakdown = {}
    for row in by_type:
        key = row["skin_type_at_review"] or "unknown"
        breakdown[key] = {**_group_stats(row), "histogram": histograms_by_type.get(key, {})}
    summary["by_skin_type"] = {key: breakdown[key] for key in [*SkinType.values, "unknown"] if key in breakdown}
    if not with_sentiment:
        return summary
    summary["sentiment"] = sentiment_summary(
        reviews.filter(sentiment_score__isnull=False)
        .values_list("sentiment_score", "sentiment_label", "extracted_topics")
        .order_by("pk")
    )
    return summary


def user_reviews(*, user):
    return review_queryset(all_media=True).filter(user=user).order_by("-created_at", "-id")


def staff_reviews(*, status=None, product_id=None, rating=None, verified=None, with_photos=None, user_id=None):
    reviews = review_queryset(all_media=True)
    if status:
        reviews = reviews.filter(status=status)
    if product_id:
        reviews = reviews.filter(product_id=product_id)
    if rating:
        reviews = reviews.filter(rating=rating)
    if verified is not None:
        reviews = reviews.filter(is_verified_purchase=verified)
    if with_photos is not None:
        reviews = reviews.filter(media__isnull=not with_photos).distinct()
    if user_id:
        reviews = reviews.filter(user_id=user_id)
    return reviews.order_by("-created_at", "-id")


def review_analytics() -> dict:
    reviews = Review.objects.all()
    by_status = dict(reviews.values_list("status").annotate(n=Count("id")).order_by())
    approved = reviews.filter(status=APPROVED)
    totals = approved.aggregate(
        n=Count("id"),
        avg=Avg("rating"),
        verified=Count("id", filter=Q(is_verified_purchase=True)),
        recommend=Count("id", filter=Q(would_recommend=True)),
        results=Count("id", filter=Q(visible_results=True)),
    )
    by_rating = dict(approved.values_list("rating").annotate(n=Count("id")).order_by())
    top = list(
        approved.values("product_id", "product__name", "product__name_km")
        .annotate(n=Count("id"), avg=Avg("rating"))
        .order_by("-n", "product_id")[:10]
    )
    return {
        "by_status": {status: by_status.get(status, 0) for status in ContentStatus.values},
        "approved": {
            "count": totals["n"],
            "avg_rating": _round(totals["avg"]),
            "verified_rate": _rate(totals["verified"], totals["n"]),
            "recommend_rate": _rate(totals["recommend"], totals["n"]),
            "results_rate": _rate(totals["results"], totals["n"]),
            "histogram": {str(star): by_rating.get(star, 0) for star in range(5, 0, -1)},
        },
        "top_products": [
            {
                "product_id": r["product_id"],
                "name": r["product__name"],
                "name_km": r["product__name_km"],
                "reviews": r["n"],
                "avg_rating": _round(r["avg"]),
            }
            for r in top
        ],
    }


# --- Q&A -----------------------------------------------------------------------------------------

QUESTION_SORTS = {
    "newest": ["-created_at", "-id"],
    "most_helpful": ["-helpful_votes", "-created_at", "-id"],
    "most_answered": ["-answer_count", "-created_at", "-id"],
}


def _answers_prefetch():
    media = AnswerMedia.objects.select_related("file").filter(status=APPROVED).order_by("sort_order", "id")
    answers = (
        Answer.objects.filter(status=APPROVED)
        .select_related("user")
        .prefetch_related(Prefetch("media", queryset=media))
    )
    return Prefetch("answers", queryset=answers, to_attr="approved_answers")


def questions_for_product(*, product_id, category=None, answered=None, skin_type=None, sort=None):
    media = QuestionMedia.objects.select_related("file").filter(status=APPROVED).order_by("sort_order", "id")
    questions = (
        Question.objects.filter(product_id=product_id, status=APPROVED)
        .select_related("user")
        .prefetch_related(Prefetch("media", queryset=media), _answers_prefetch())
    )
    if category:
        questions = questions.filter(question_category=category)
    if answered is not None:
        questions = questions.filter(is_answered=answered)
    if skin_type:
        questions = questions.filter(skin_type_context=skin_type)
    return questions.order_by(*QUESTION_SORTS.get(sort or "newest", QUESTION_SORTS["newest"]))


PAGE_QUESTION_FIELDS = ("id", "product_id", "question", "skin_type_context", "answer_count", "created_at", "status")
PAGE_ANSWER_FIELDS = (
    "id", "question_id", "answer", "is_from_expert", "expert_credentials", "is_from_verified_buyer",
    "is_verified_by_admin", "helpful_votes", "created_at", "status",
)  # fmt: skip


def questions_for_product_page(*, product_id, limit):
    """The product page's questions (most answered first) with their approved answers: only the
    columns the page shows, without authors or photos (2 queries)."""
    answers = Answer.objects.filter(status=APPROVED).only(*PAGE_ANSWER_FIELDS)
    return list(
        Question.objects.filter(product_id=product_id, status=APPROVED)
        .only(*PAGE_QUESTION_FIELDS)
        .prefetch_related(Prefetch("answers", queryset=answers, to_attr="approved_answers"))
        .order_by(*QUESTION_SORTS["most_answered"])[:limit]
    )


def questions_for_user(*, user):
    """The user's questions in every moderation state, each with its approved answers."""
    return (
        Question.objects.filter(user=user)
        .select_related("product")
        .prefetch_related(_answers_prefetch())
        .order_by("-created_at", "-id")
    )


def questions_awaiting_expert(*, product_id=None):
    """Approved questions no approved expert answer covers yet: most urgent first, then oldest."""
    media = QuestionMedia.objects.select_related("file").filter(status=APPROVED).order_by("sort_order", "id")
    expert_answered = Answer.objects.filter(question=OuterRef("pk"), status=APPROVED, is_from_expert=True)
    questions = (
        Question.objects.filter(status=APPROVED)
        .filter(~Exists(expert_answered))
        .select_related("user")
        .prefetch_related(Prefetch("media", queryset=media), _answers_prefetch())
    )
    if product_id is not None:
        questions = questions.filter(product_id=product_id)
    urgency_rank = Case(
        When(urgency_level=Urgency.HIGH, then=Value(0)), When(urgency_level=Urgency.NORMAL, then=Value(1)), default=2
    )
    return questions.order_by(urgency_rank, "created_at", "id")


def answers_for_question(*, question_id):
    media = AnswerMedia.objects.select_related("file").filter(status=APPROVED).order_by("sort_order", "id")
    return (
        Answer.objects.filter(question_id=question_id, status=APPROVED)
        .select_related("user", "verified_by")
        .prefetch_related(Prefetch("media", queryset=media))
        .order_by("-is_from_expert", "-is_verified_by_admin", "-helpful_votes", "created_at", "id")
    )


def my_question_votes(*, user, question_ids):
    if user is None or not user.is_authenticated:
        return set()
    return set(
        QuestionVote.objects.filter(user=user, question_id__in=question_ids).values_list("question_id", flat=True)
    )


def my_answer_votes(*, user, answer_ids):
    if user is None or not user.is_authenticated:
        return {}
    return dict(AnswerVote.objects.filter(user=user, answer_id__in=answer_ids).values_list("answer_id", "vote_type"))


def staff_answers(*, status=None, verified=None):
    answers = Answer.objects.select_related("user", "question__product", "verified_by")
    if status:
        answers = answers.filter(status=status)
    if verified is not None:
        answers = answers.filter(is_verified_by_admin=verified)
    return answers.order_by("-created_at", "-id")


# --- Progress -------------------------------------------------------------------------------------


def _entries_prefetch(*, public):
    media = ProgressMedia.objects.select_related("file").order_by("sort_order", "id")
    if public:
        media = media.filter(status=APPROVED, file__is_public=True)
    entries = ProgressEntry.objects.prefetch_related(Prefetch("media", queryset=media)).order_by("week_number")
    return Prefetch("entries", queryset=entries)


def journals_for_user(*, user, status=None):
    journals = ProgressJournal.objects.filter(user=user).select_related("product", "user")
    if status:
        journals = journals.filter(status=status)
    return journals.prefetch_related(_entries_prefetch(public=False)).order_by("-started_at", "-id")


def journals_for_product(*, product_id):
    return (
        ProgressJournal.objects.filter(product_id=product_id, is_public=True)
        .select_related("product", "user")
        .prefetch_related(_entries_prefetch(public=True))
        .order_by("-updated_at", "-id")
    )


def journals_for_product_page(*, product_id, limit):
    """The product page's public journals, most recently updated first, with their entries: no
    photos, product or author (2 queries; 1 without journals)."""
    entries = ProgressEntry.objects.order_by("week_number")
    return list(
        ProgressJournal.objects.filter(product_id=product_id, is_public=True)
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("-updated_at", "-id")[:limit]
    )


def journal_for_viewer(*, journal_id, user):
    """The owner and moderators see everything; others only public journals, without private photos."""
    journal = ProgressJournal.objects.filter(pk=journal_id).select_related("product", "user").first()
    if journal is None:
        return None, False, []
    owner = user is not None and user.is_authenticated and journal.user_id == user.pk
    owner = owner or user_has_permission(user, "reviews.view_progressjournal")
    if not owner and not journal.is_public:
        return None, False, []
    entries = ProgressEntry.objects.prefetch_related(
        Prefetch(
            "media",
            queryset=(
                ProgressMedia.objects.select_related("file").order_by("sort_order", "id")
                if owner
                else ProgressMedia.objects.select_related("file")
                .filter(status=APPROVED, file__is_public=True)
                .order_by("sort_order", "id")
            ),
        )
    )
    # Loaded onto the journal, so the entries know their journal and ``journal.entries.all()`` is this list.
    prefetch_related_objects([journal], Prefetch("entries", queryset=entries.order_by("week_number")))
    return journal, owner, list(journal.entries.all())


def timeline_summary(entries) -> dict:
    if not entries:
        return {"weeks_recorded": 0}
    first, last = entries[0], entries[-1]
    improvements = {flag: sum(1 for e in entries if getattr(e, flag)) for flag in IMPROVEMENT_FLAGS}
    return {
        "weeks_recorded": len(entries),
        "first_week": first.week_number,
        "last_week": last.week_number,
        "satisfaction_start": first.overall_satisfaction,
        "satisfaction_latest": last.overall_satisfaction,
        "satisfaction_change": last.overall_satisfaction - first.overall_satisfaction,
        "improvement_start": first.skin_improvement,
        "improvement_latest": last.skin_improvement,
        "max_side_effects_severity": max(e.side_effects_severity for e in entries),
        "improvement_weeks": {flag: n for flag, n in improvements.items() if n},
        "photos": sum(e.photo_count for e in entries),
    }


# --- Community ------------------------------------------------------------------------------------


def user_feedback_stats(*, user) -> dict:
    reviews = Review.objects.filter(user=user).aggregate(
        total=Count("id"),
        approved=Count("id", filter=Q(status=APPROVED)),
        pending=Count("id", filter=Q(status__in=[ContentStatus.PENDING, ContentStatus.FLAGGED])),
        rejected=Count("id", filter=Q(status=ContentStatus.REJECTED)),
        verified=Count("id", filter=Q(is_verified_purchase=True, status=APPROVED)),
        avg_rating_given=Avg("rating", filter=Q(status=APPROVED)),
        with_photos=Count("id", filter=Q(media_count__gt=0, status=APPROVED)),
    )
    questions = Question.objects.filter(user=user).aggregate(
        total=Count("id"), approved=Count("id", filter=Q(status=APPROVED)),
        answered=Count("id", filter=Q(status=APPROVED, is_answered=True)),
    )  # fmt: skip
    answers = Answer.objects.filter(user=user).aggregate(
        total=Count("id"), approved=Count("id", filter=Q(status=APPROVED)),
        verified_by_staff=Count("id", filter=Q(status=APPROVED, is_verified_by_admin=True)),
    )  # fmt: skip
    journals = ProgressJournal.objects.filter(user=user).aggregate(
        total=Count("id"),
        ongoing=Count("id", filter=Q(status="ongoing")),
        completed=Count("id", filter=Q(status="completed")),
        entries=Coalesce(Sum("entry_count"), 0),
    )
    reviews["avg_rating_given"] = _round(reviews["avg_rating_given"])
    return {"reviews": reviews, "questions": questions, "answers": answers, "progress": journals}


def user_feedback_impact(*, user) -> dict:
    """How the user's contributions helped others."""
    review_votes = ReviewVote.objects.filter(review__user=user, review__status=APPROVED).aggregate(
        helpful=Count("id", filter=Q(vote_type="helpful")),
        people_helped=Count("user", filter=Q(vote_type="helpful"), distinct=True),
    )
    answer_votes = AnswerVote.objects.filter(answer__user=user, answer__status=APPROVED).aggregate(
        helpful=Count("id", filter=Q(vote_type="helpful")),
        people_helped=Count("user", filter=Q(vote_type="helpful"), distinct=True),
    )
    top = (
        Review.objects.filter(user=user, status=APPROVED, helpful_votes_count__gt=0)
        .select_related("product")
        .order_by("-helpful_votes_count", "-id")[:5]
    )
    questions_answered = Answer.objects.filter(user=user, status=APPROVED).values("question_id").distinct().count()
    return {
        "review_helpful_votes": review_votes["helpful"],
        "people_found_reviews_helpful": review_votes["people_helped"],
        "answer_helpful_votes": answer_votes["helpful"],
        "people_found_answers_helpful": answer_votes["people_helped"],
        "questions_answered": questions_answered,
        "most_helpful_reviews": [
            {
                "id": r.pk,
                "product": {"id": r.product_id, "name": r.product.name, "name_km": r.product.name_km},
                "helpful_votes": r.helpful_votes_count,
            }
            for r in top
        ],
    }


def community_leaders(*, limit=20, skin_type=None):
    users = User.objects.filter(is_active=True, community_score__gt=0)
    if skin_type:
        users = users.filter(skin_type=skin_type)
    return users.order_by("-community_score", "-helpful_votes_received", "id")[:limit]


def community_rank(*, user) -> int:
    return User.objects.filter(is_active=True, community_score__gt=user.community_score).count() + 1
