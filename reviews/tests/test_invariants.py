"""Review, Q&A and community invariants hold on content built through the API and catch a
violation planted in one row."""

from decimal import Decimal

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from reviews.models import Answer, Question, Review
from reviews.tests.helpers import deliver, review_payload
from shop.accounts.models import User
from shop.accounts.tests.factories import UserFactory
from shop.catalog.models import Product
from skincare.invariants import invariant_run, invariants

pytestmark = pytest.mark.django_db
CHECKS = ["product_rating", "review_votes", "question_counters", "answer_votes", "community_counters"]


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def violations(name):
    check = next(c for c in invariants() if c.name == name)
    return invariant_run(check, examples=100).examples


@pytest.fixture
def community(product):
    """Two verified reviews (5 and 2 stars), votes on one, a question with an answer and votes."""
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    for user, rating in ((alice, 5), (bob, 2)):
        deliver(user, product)
        created = client_of(user).post(
            f"/api/v1/products/{product.pk}/reviews", review_payload(rating=rating), format="json"
        )
        assert created.status_code == 201, created.json()
    review = Review.objects.get(user=alice)
    assert (
        client_of(bob).post(f"/api/v1/reviews/{review.pk}/vote", {"vote_type": "helpful"}, format="json").status_code
        == 201
    )
    assert (
        client_of(carol)
        .post(f"/api/v1/reviews/{review.pk}/vote", {"vote_type": "unhelpful"}, format="json")
        .status_code
        == 201
    )
    asked = client_of(carol).post(
        f"/api/v1/products/{product.pk}/questions", {"question": "Can I use this with retinol at night?"}, format="json"
    )
    question_id = asked.json()["data"]["id"]
    answered = client_of(alice).post(
        f"/api/v1/questions/{question_id}/answers", {"answer": "Yes, on alternate nights."}, format="json"
    )
    answer_id = answered.json()["data"]["id"]
    assert client_of(bob).post(f"/api/v1/questions/{question_id}/vote").status_code == 201
    assert (
        client_of(carol).post(f"/api/v1/answers/{answer_id}/vote", {"vote_type": "helpful"}, format="json").status_code
        == 201
    )
    return {"alice": alice, "review": review, "question": Question.objects.get(), "answer": Answer.objects.get()}


def test_review_and_community_invariants_hold_on_content_built_through_the_api(community, product):
    product.refresh_from_db()
    assert (product.rating_avg, product.review_count) == (Decimal("3.50"), 2)
    alice = User.objects.get(pk=community["alice"].pk)
    assert (alice.reviews_written, alice.answers_provided, alice.helpful_votes_received) == (1, 1, 2)
    assert {name: violations(name) for name in CHECKS if violations(name)} == {}


def test_product_rating_catches_an_average_or_count_off_the_approved_reviews(community, product):
    Product.objects.filter(pk=product.pk).update(rating_avg=Decimal("3.49"))
    assert violations("product_rating") == [product.pk]
    Product.objects.filter(pk=product.pk).update(rating_avg=Decimal("3.50"), review_count=3)
    assert violations("product_rating") == [product.pk]


def test_review_votes_catch_a_counter_off_the_vote_rows(community):
    review = community["review"]
    Review.objects.filter(pk=review.pk).update(total_votes_count=3)
    assert violations("review_votes") == [review.pk]


def test_question_counters_catch_answer_count_and_votes(community):
    question = community["question"]
    Question.objects.filter(pk=question.pk).update(answer_count=2)
    assert violations("question_counters") == [question.pk]
    Question.objects.filter(pk=question.pk).update(answer_count=1, helpful_votes=0)
    assert violations("question_counters") == [question.pk]


def test_answer_votes_catch_a_counter_off_the_vote_rows(community):
    answer = community["answer"]
    Answer.objects.filter(pk=answer.pk).update(unhelpful_votes=1)
    assert violations("answer_votes") == [answer.pk]


def test_community_counters_catch_score_and_average(community):
    alice = community["alice"]
    User.objects.filter(pk=alice.pk).update(community_score=F("community_score") + 1)
    assert violations("community_counters") == [alice.pk]
    User.objects.filter(pk=alice.pk).update(community_score=F("community_score") - 1, avg_rating=Decimal("4.00"))
    assert violations("community_counters") == [alice.pk]
