"""Sentiment in the shop: written on approval (task run eagerly), staff flag, summary, analytics, API."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from feedback.models import ModerationItem, ModerationStatus
from feedback.services import moderation_approve
from ml import feedback_intelligence
from ml.etl import jobs
from ml.models import ModelKind, TrainedModel
from ml.sentiment import analyze, score
from ml.sentiment.trained import MIN_REVIEWS
from ml.store import get_store
from reviews.models import ContentStatus, Review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

URL = "/api/v1/ml/feedback/analyze-sentiment"
BURNED = "Awful. It left a rash and my skin was burning for hours."
LOVED = "Love it, my skin is clearer and brighter after two weeks. The texture is lovely."


@pytest.fixture(autouse=True)
def _staff_approve(run_on_commit, relational_store, settings):
    """Reviews wait for a moderator unless a test turns auto-approval back on."""
    settings.MODERATION_AUTO_APPROVE = False


def _submit(user, product, *, rating, text, title=""):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        f"/api/v1/products/{product.pk}/reviews",
        {"rating": rating, "title": title, "review_text": text},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"]


def _approve(review_id, staff_user):
    item = ModerationItem.objects.get(content_type="review", content_id=review_id)
    moderation_approve(item=item, by=staff_user)
    return ModerationItem.objects.get(pk=item.pk)


def test_approval_writes_sentiment_fields(user, staff_user):
    review_id = _submit(user, ProductFactory(), rating=5, text=LOVED)
    assert Review.objects.get(pk=review_id).sentiment_score is None  # nothing before approval

    _approve(review_id, staff_user)

    review = Review.objects.get(pk=review_id)
    expected = analyze(LOVED)  # no model trained yet: the lexicon alone
    assert review.sentiment_score == Decimal(str(expected.score)).quantize(Decimal("0.01"))
    assert review.sentiment_label == "positive"
    assert review.extracted_topics == expected.topics()
    assert {t["name"] for t in review.extracted_topics if t["kind"] == "aspect"} == {"results", "texture"}


def test_an_automatic_approval_scores_too(user, settings):
    settings.MODERATION_AUTO_APPROVE = True
    review_id = _submit(user, ProductFactory(), rating=5, text=LOVED)
    review = Review.objects.get(pk=review_id)
    assert review.status == ContentStatus.APPROVED
    assert review.sentiment_label == "positive"


def test_negative_review_naming_an_injury_goes_back_to_staff_once(user, staff_user):
    review_id = _submit(user, ProductFactory(), rating=1, text=BURNED)
    item = _approve(review_id, staff_user)

    assert item.status == ModerationStatus.NEEDS_REVIEW
    assert item.priority_level == 1
    assert "safety" in item.flagged_reasons
    assert item.screen_details["safety"] == {"terms": ["burning", "rash"], "sentiment_score": score(BURNED)}
    assert Review.objects.get(pk=review_id).status == ContentStatus.APPROVED  # stays visible meanwhile

    # Staff look and approve again: no second flag for the same text.
    item = _approve(review_id, staff_user)
    assert item.status == ModerationStatus.APPROVED
    assert item.flagged_reasons.count("safety") == 1


def test_positive_review_mentioning_a_rash_is_not_flagged(user, staff_user):
    review_id = _submit(user, ProductFactory(), rating=5, text="I love it, it soothed the rash I had from shaving.")
    item = _approve(review_id, staff_user)
    assert item.status == ModerationStatus.APPROVED
    assert "safety" not in item.flagged_reasons


def test_rejected_review_gets_no_sentiment(user, staff_user):
    review_id = _submit(user, ProductFactory(), rating=1, text=BURNED)
    assert feedback_intelligence.review_sentiment_apply(review_id=review_id) is None  # still pending
    assert Review.objects.get(pk=review_id).sentiment_label == ""


def test_review_summary_gains_sentiment_and_themes(api_client, staff_user):
    product = ProductFactory()
    texts = [
        (5, LOVED),
        (4, "Smells lovely and my skin is smoother."),
        (1, BURNED),
        (2, "It made my cheeks sting and burn. Way too expensive."),
    ]
    for rating, text in texts:
        _approve(_submit(UserFactory(), product, rating=rating, text=text), staff_user)
    pending = _submit(UserFactory(), product, rating=1, text="Terrible, awful, burning.")

    data = api_client.get(f"/api/v1/products/{product.pk}/reviews/summary").json()["data"]["sentiment"]

    stored = [float(s) for s in Review.objects.exclude(pk=pending).values_list("sentiment_score", flat=True)]
    assert data["analyzed_count"] == 4
    assert data["avg_score"] == round(sum(stored) / 4, 4)
    assert data["labels"] == {"positive": 2, "neutral": 0, "negative": 2}
    irritation = next(t for t in data["negative_themes"] if t["theme"] == "caused_irritation")
    assert irritation["frequency"] == 2
    assert irritation["example_phrases"] == [  # strongest first
        "It left a rash and my skin was burning for hours.",
        "It made my cheeks sting and burn.",
    ]
    assert irritation["avg_sentiment"] == round((-0.6908 - 0.4215) / 2, 4)
    assert {t["theme"] for t in data["positive_themes"]} >= {"visible_results", "pleasant_scent"}
    assert data["aspects"]["scent"] > 0 and data["aspects"]["side_effects"] < 0
    assert data["aspects"]["packaging"] is None


def test_analytics_documents_get_sentiment(user, staff_user):
    product = ProductFactory()
    first = _submit(user, product, rating=5, text=LOVED)
    second = _submit(UserFactory(), product, rating=1, text=BURNED)
    _approve(first, staff_user)
    _approve(second, staff_user)

    jobs.feedback_analytics_run(as_of="2030-01-01")
    [doc] = get_store().find("feedback_analytics", {"product_id": product.pk})
    sentiment = doc["sentiment_analysis"]
    scores = [score(LOVED), score(BURNED)]
    assert sentiment["analyzed_reviews"] == 2
    assert sentiment["overall_sentiment_score"] == round(sum(round(s, 2) for s in scores) / 2, 4)
    assert sentiment["sentiment_distribution"] == {
        "very_positive": 0.5,
        "positive": 0.0,
        "neutral": 0.0,
        "negative": 0.0,
        "very_negative": 0.5,
    }

    today = Review.objects.get(pk=first).created_at.date().isoformat()
    jobs.feedback_stream_run(date_from=today, date_to=today)
    docs = {d["event_data"]["content_id"]: d for d in get_store().find("feedback_stream")}
    assert docs[first]["event_data"]["sentiment"] == "positive"
    assert docs[first]["event_data"]["key_topics"] == ["texture", "results"]
    assert docs[first]["requires_immediate_attention"] is False
    assert docs[second]["requires_immediate_attention"] is True
    assert docs[second]["event_data"]["sentiment_score"] == float(Review.objects.get(pk=second).sentiment_score)


def test_nightly_training_then_rescoring_uses_the_shops_words(staff_user):
    product = ProductFactory()
    n = MIN_REVIEWS // 2 + 1
    for i in range(n):
        Review.objects.create(
            product=product, user=UserFactory(), rating=5, review_text=f"zoomy {i}", status=ContentStatus.APPROVED
        )
        Review.objects.create(
            product=product, user=UserFactory(), rating=1, review_text=f"blorpy {i}", status=ContentStatus.APPROVED
        )
    assert feedback_intelligence.text_sentiment(text="zoomy")["score"] == 0.0  # unknown to the lexicon

    from ml.tasks import sentiment_train

    result = sentiment_train.delay().get()

    assert result["scored"] == 2 * n and result["model"].startswith("vader-skincare-1+ridge-")
    assert TrainedModel.objects.filter(kind=ModelKind.SENTIMENT).count() == 1
    answer = feedback_intelligence.text_sentiment(text="zoomy")
    assert answer["score"] > 0.2 and answer["label"] == "positive"
    assert answer["model_version"] == result["model"]
    labels = set(Review.objects.filter(review_text__startswith="blorpy").values_list("sentiment_label", flat=True))
    assert labels == {"negative"}


def test_too_few_reviews_train_nothing():
    assert feedback_intelligence.sentiment_model_train() is None
    assert not TrainedModel.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("sentiment_score", Decimal("1.50")), ("sentiment_score", Decimal("-1.01")), ("sentiment_label", "great")],
)
def test_check_constraints(field, value, user):
    review = Review.objects.create(product=ProductFactory(), user=user, rating=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(**{field: value})


# --- API ---------------------------------------------------------------------------------------


def test_analyze_sentiment_answers_the_analysis(auth_client):
    response = auth_client.post(URL, {"text": BURNED}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    expected = analyze(BURNED)
    assert data["score"] == expected.score
    assert (data["label"], data["band"]) == ("negative", expected.band)
    assert data["safety_terms"] == ["burning", "rash"]
    assert data["needs_attention"] is True
    assert data["aspects"] == {"side_effects": expected.aspects["side_effects"]}
    assert [t["name"] for t in data["themes"]] == ["caused_irritation"]
    assert data["model_version"] == "vader-skincare-1"


def test_analyze_sentiment_needs_sign_in(api_client):
    response = api_client.post(URL, {"text": "Nice"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize(
    "body", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 10_001}, {"text": ["a"]}, {"text": None}]
)
def test_analyze_sentiment_bad_input(auth_client, body):
    response = auth_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "text" in response.json()["errors"]


def test_analyze_sentiment_refuses_non_json(auth_client):
    response = auth_client.post(URL, "text=Nice", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


# --- Product intelligence ------------------------------------------------------------------------

INTELLIGENCE = "/api/v1/staff/products/{}/feedback-intelligence"


def _scored(product, text, rating=4):
    """An approved review scored the way approval scores it (lexicon only: no model trained)."""
    review = Review.objects.create(
        product=product, user=UserFactory(), rating=rating, review_text=text, status=ContentStatus.APPROVED
    )
    return feedback_intelligence.review_sentiment_apply(review_id=review.pk)


def test_product_intelligence_compares_aspects_with_the_category(staff_client):
    mine = ProductFactory()
    rival = ProductFactory(category=mine.category)
    ProductFactory()  # another category: never compared
    for _ in range(3):
        _scored(mine, "The scent is lovely. The pump leaks everywhere.")
        _scored(rival, "The scent is awful. The pump works well.")
    _scored(rival, "The texture is lovely.")  # one review: too little evidence on its own

    assert feedback_intelligence.product_intelligence_run(as_of=None) == 2
    data = staff_client.get(INTELLIGENCE.format(mine.pk)).json()["data"]

    lovely, awful = score("The scent is lovely."), score("The scent is awful.")
    leaks, works = score("The pump leaks everywhere."), score("The pump works well.")
    assert (data["analyzed_reviews"], data["category_analyzed_reviews"]) == (3, 4)
    assert [s["aspect"] for s in data["strengths"]] == ["scent"]
    assert data["strengths"][0] == {
        "aspect": "scent",
        "product_sentiment": lovely,
        "category_sentiment": awful,
        "difference": round(lovely - awful, 4),
        "evidence_count": 3,
        "category_evidence_count": 3,
    }
    assert [w["aspect"] for w in data["weaknesses"]] == ["packaging"]
    assert data["weaknesses"][0]["difference"] == round(leaks - works, 4)
    assert data["aspects"]["texture"] == {
        "aspect": "texture",
        "product_sentiment": None,
        "category_sentiment": score("The texture is lovely."),
        "difference": None,
        "evidence_count": 0,
        "category_evidence_count": 1,
    }
    assert [t["theme"] for t in data["negative_themes"]] == ["poor_packaging"]
    assert data["negative_themes"][0]["frequency"] == 3


def test_product_intelligence_missing_and_permissions(staff_client, auth_client, api_client):
    product = ProductFactory()
    response = staff_client.get(INTELLIGENCE.format(product.pk))
    assert (response.status_code, response.json()["code"]) == (404, "ANALYTICS_NOT_FOUND")
    assert auth_client.get(INTELLIGENCE.format(product.pk)).status_code == 403  # a customer
    assert api_client.get(INTELLIGENCE.format(product.pk)).status_code == 401


def test_cached_review_summary_follows_sentiment_scoring(api_client, staff_user):
    """The summary is cached per product (``reviews.cache``); scoring a review drops it."""
    from django.core.cache import cache

    from ml.feedback_intelligence import review_sentiment_apply
    from reviews.cache import summary_invalidate

    cache.clear()
    product = ProductFactory()
    review_id = _submit(UserFactory(), product, rating=5, text=LOVED)
    _approve(review_id, staff_user)
    url = f"/api/v1/products/{product.pk}/reviews/summary"
    Review.objects.filter(pk=review_id).update(sentiment_score=None, sentiment_label="")  # not scored yet
    summary_invalidate(product_ids=[product.pk])
    assert api_client.get(url).json()["data"]["sentiment"]["analyzed_count"] == 0
    Review.objects.filter(pk=review_id).update(sentiment_score=0.9, sentiment_label="positive")  # no invalidation
    assert api_client.get(url).json()["data"]["sentiment"]["analyzed_count"] == 0  # served from the cache
    Review.objects.filter(pk=review_id).update(sentiment_score=None, sentiment_label="")
    review_sentiment_apply(review_id=review_id)
    sentiment = api_client.get(url).json()["data"]["sentiment"]
    assert sentiment["analyzed_count"] == 1 and sentiment["labels"]["positive"] == 1
