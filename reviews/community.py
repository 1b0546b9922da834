"""Community counters, score and reputation.

Counters on ``User`` move with F() expressions when content is approved / leaves approval and
when helpful votes are cast or withdrawn; ``community_score_recalculate`` rebuilds them from the
content tables with the same points, so both always agree.
"""

from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Round

from reviews import cache as review_cache
from shop.accounts.models import User

POINTS = {
    "review": 5,  # approved review
    "verified_review": 5,  # extra for a verified purchase
    "helpful_vote": 2,  # helpful vote received on an approved review or answer
    "question": 1,  # approved question
    "answer": 3,  # approved answer
}
LEVELS = [  # (minimum score, level)
    (0, "newcomer"),
    (25, "contributor"),
    (100, "trusted_reviewer"),
    (300, "community_star"),
    (1000, "skincare_guru"),
]


def user_counters_add(*, user_id, reviews=0, verified_reviews=0, helpful=0, questions=0, answers=0):
    """Move a user's counters by the given deltas (negative allowed; never below zero)."""
    if user_id is None or not any((reviews, verified_reviews, helpful, questions, answers)):
        return
    points = (
        reviews * POINTS["review"]
        + verified_reviews * POINTS["verified_review"]
        + helpful * POINTS["helpful_vote"]
        + questions * POINTS["question"]
        + answers * POINTS["answer"]
    )
    updates = {}
    for field, delta in (
        ("reviews_written", reviews),
        ("helpful_votes_received", helpful),
        ("questions_asked", questions),
        ("answers_provided", answers),
    ):
        if delta:
            updates[field] = Greatest(F(field) + delta, 0)
    if points:
        updates["community_score"] = Greatest(F("community_score") + points, 0)
    User.objects.filter(pk=user_id).update(**updates)
    if points:  # review lists show their authors' community score
        review_cache.list_invalidate_for_authors(user_ids=[user_id])


def user_avg_rating_refresh(*, user_id):
    """``User.avg_rating``: the mean rating of the user's approved reviews (0.00 without any), in one UPDATE."""
    if user_id is None:
        return
    from reviews.models import ContentStatus, Review

    rating = DecimalField(max_digits=3, decimal_places=2)
    average = (
        Review.objects.filter(user_id=OuterRef("pk"), status=ContentStatus.APPROVED)
        .values("user_id")
        .annotate(avg=Cast(Round(Avg("rating"), 2), output_field=rating))
        .values("avg")
    )
    User.objects.filter(pk=user_id).update(
        avg_rating=Coalesce(Subquery(average, output_field=rating), Value(Decimal("0.00"), output_field=rating))
    )


def community_totals(*, user_id) -> dict:
    """Counters as they should be, from the content tables."""
    from reviews.models import Answer, ContentStatus, Question, Review

    reviews = Review.objects.filter(user_id=user_id, status=ContentStatus.APPROVED).aggregate(
        n=Count("id"),
        verified=Count("id", filter=Q(is_verified_purchase=True)),
        helpful=Coalesce(Sum("helpful_votes_count"), 0),
    )
    answers = Answer.objects.filter(user_id=user_id, status=ContentStatus.APPROVED).aggregate(
        n=Count("id"), helpful=Coalesce(Sum("helpful_votes"), 0)
    )
    questions = Question.objects.filter(user_id=user_id, status=ContentStatus.APPROVED).count()
    helpful = reviews["helpful"] + answers["helpful"]
    score = (
        reviews["n"] * POINTS["review"]
        + reviews["verified"] * POINTS["verified_review"]
        + helpful * POINTS["helpful_vote"]
        + questions * POINTS["question"]
        + answers["n"] * POINTS["answer"]
    )
    return {
        "reviews_written": reviews["n"],
        "verified_reviews": reviews["verified"],
        "helpful_votes_received": helpful,
        "questions_asked": questions,
        "answers_provided": answers["n"],
        "community_score": score,
    }


def community_score_recalculate(*, user) -> User:
    totals = community_totals(user_id=user.pk)
    totals.pop("verified_reviews")
    User.objects.filter(pk=user.pk).update(**totals)
    review_cache.list_invalidate_for_authors(user_ids=[user.pk])
    user_avg_rating_refresh(user_id=user.pk)
    user.refresh_from_db()
    return user


def reputation(user) -> dict:
    score = user.community_score
    level, next_level = LEVELS[0][1], None
    for index, (minimum, name) in enumerate(LEVELS):
        if score >= minimum:
            level = name
            next_level = LEVELS[index + 1] if index + 1 < len(LEVELS) else None
    badges = []
    if user.role == "expert":
        badges.append("expert")
    if user.reviews_written >= 10:
        badges.append("prolific_reviewer")
    if user.helpful_votes_received >= 50:
        badges.append("helpful_voice")
    if user.answers_provided >= 10:
        badges.append("community_helper")
    return {
        "community_score": score,
        "level": level,
        "next_level": next_level[1] if next_level else None,
        "points_to_next_level": (next_level[0] - score) if next_level else 0,
        "badges": badges,
        "is_expert": user.role == "expert",
        "points": POINTS,
    }
