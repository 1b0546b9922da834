"""Review and community invariants (see ``skincare.invariants``), and the set-based
recomputations the demo uses: each counter as a correlated subquery over its source rows, so
one ``UPDATE`` fixes a whole table and one ``SELECT`` finds every row that disagrees.

The rules follow the services: a product's ``rating_avg`` / ``review_count`` come from its
approved reviews (``reviews.services.product_rating_refresh``), vote counters from the vote rows,
a question's ``answer_count`` from its approved answers, and a user's community counters and
score from approved content with ``reviews.community.POINTS``.
"""

from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Cast, Coalesce, Round

from reviews.community import POINTS
from reviews.models import (
    Answer,
    AnswerVote,
    ContentStatus,
    Question,
    QuestionVote,
    Review,
    ReviewVote,
    VoteType,
)
from shop.accounts.models import User
from shop.catalog.models import Product
from skincare.invariants import register_invariant

RATING = DecimalField(max_digits=3, decimal_places=2)


def _aggregate(queryset, aggregate, output_field=None):
    """A correlated aggregate over ``queryset`` (already filtered on ``OuterRef``), 0 without rows."""
    output_field = output_field or IntegerField()
    value = queryset.order_by().annotate(_k=Value(1)).values("_k").annotate(v=aggregate).values("v")
    return Coalesce(Subquery(value, output_field=output_field), Value(0, output_field=output_field))


def _count(queryset):
    return _aggregate(queryset, Count("pk"))


def product_rating_expressions():
    approved = Review.objects.filter(product=OuterRef("pk"), status=ContentStatus.APPROVED)
    average = _aggregate(approved, Cast(Round(Avg("rating"), 2), output_field=RATING), RATING)
    return {"rating_avg": average, "review_count": _count(approved)}


def review_vote_expressions():
    votes = ReviewVote.objects.filter(review=OuterRef("pk"))
    return {
        "helpful_votes_count": _count(votes.filter(vote_type=VoteType.HELPFUL)),
        "unhelpful_votes_count": _count(votes.filter(vote_type=VoteType.UNHELPFUL)),
        "total_votes_count": _count(votes),
    }


def community_expressions():
    """``reviews.community.community_totals`` (and ``user_avg_rating_refresh``) for every user at once."""
    reviews = Review.objects.filter(user=OuterRef("pk"), status=ContentStatus.APPROVED)
    answers = Answer.objects.filter(user=OuterRef("pk"), status=ContentStatus.APPROVED)
    questions = Question.objects.filter(user=OuterRef("pk"), status=ContentStatus.APPROVED)
    n_reviews, n_verified = _count(reviews), _count(reviews.filter(is_verified_purchase=True))
    helpful = _aggregate(reviews, Sum("helpful_votes_count")) + _aggregate(answers, Sum("helpful_votes"))
    n_questions, n_answers = _count(questions), _count(answers)
    average = _aggregate(reviews, Cast(Round(Avg("rating"), 2), output_field=RATING), RATING)
    return {
        "reviews_written": n_reviews,
        "helpful_votes_received": helpful,
        "questions_asked": n_questions,
        "answers_provided": n_answers,
        "community_score": n_reviews * POINTS["review"]
        + n_verified * POINTS["verified_review"]
        + helpful * POINTS["helpful_vote"]
        + n_questions * POINTS["question"]
        + n_answers * POINTS["answer"],
        "avg_rating": average,
    }


def _disagreeing(queryset, expressions, *, tolerance=None):
    """Rows where a stored field differs from its expression (decimals within ``tolerance``)."""
    annotated = queryset.annotate(**{f"_{name}": expr for name, expr in expressions.items()})
    wrong = Q()
    for name in expressions:
        if tolerance is not None and name in tolerance:
            annotated = annotated.annotate(**{f"_d_{name}": Abs(F(name) - F(f"_{name}"))})
            wrong |= Q(**{f"_d_{name}__gt": tolerance[name]})
        else:
            wrong |= ~Q(**{name: F(f"_{name}")})
    return annotated.filter(wrong)


def product_rating_violations():
    return _disagreeing(Product.objects.all(), product_rating_expressions(), tolerance={"rating_avg": Decimal("0.005")})


def review_vote_violations():
    return _disagreeing(Review.objects.all(), review_vote_expressions())


def question_counter_violations():
    answers = Answer.objects.filter(question=OuterRef("pk"), status=ContentStatus.APPROVED)
    expressions = {
        "answer_count": _count(answers),
        "helpful_votes": _count(QuestionVote.objects.filter(question=OuterRef("pk"))),
    }
    return _disagreeing(Question.objects.all(), expressions)


def answer_vote_violations():
    votes = AnswerVote.objects.filter(answer=OuterRef("pk"))
    expressions = {
        "helpful_votes": _count(votes.filter(vote_type=VoteType.HELPFUL)),
        "unhelpful_votes": _count(votes.filter(vote_type=VoteType.UNHELPFUL)),
    }
    return _disagreeing(Answer.objects.all(), expressions)


def community_violations():
    return _disagreeing(User.objects.all(), community_expressions(), tolerance={"avg_rating": Decimal("0.005")})


def register():
    register_invariant(
        "product_rating", "product rating_avg / review_count = its approved reviews", product_rating_violations
    )
    register_invariant("review_votes", "review vote counters = its vote rows", review_vote_violations)
    register_invariant(
        "question_counters",
        "question answer_count / helpful_votes = approved answers / votes",
        question_counter_violations,
    )
    register_invariant("answer_votes", "answer vote counters = its vote rows", answer_vote_violations)
    register_invariant(
        "community_counters", "user community counters, score and avg_rating = approved content", community_violations
    )
