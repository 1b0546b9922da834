"""Staff bulk approve / reject of reviews by id: each decided on its own, the answer says what and why."""

import pytest
from rest_framework.test import APIClient

from reviews import services as review_services
from reviews.models import Review
from reviews.tests.helpers import review_payload
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/reviews/bulk-action"


def _held_review():
    review = review_services.review_create(
        user=UserFactory(), product_id=ProductFactory().pk, **review_payload(review_text="This cures acne for good.")
    )
    assert review.status != "approved"
    return review


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_bulk_approve_then_reject_reports_done_and_skipped():
    first, second = _held_review(), _held_review()
    client = _client(ModeratorFactory())

    approved = client.post(URL, {"ids": [first.pk, second.pk, 987654, first.pk], "action": "approve"}, format="json")

    assert approved.status_code == 200
    assert approved.json()["data"] == {
        "done": [first.pk, second.pk],
        "skipped": [{"id": 987654, "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert set(Review.objects.values_list("status", flat=True)) == {"approved"}

    again = client.post(URL, {"ids": [first.pk], "action": "approve"}, format="json")
    assert again.json()["data"] == {
        "done": [],
        "skipped": [
            {"id": first.pk, "code": "MODERATION_ALREADY_DECIDED", "message": "This content is already approved."}
        ],
    }

    rejected = client.post(URL, {"ids": [second.pk], "action": "reject", "notes": "Medical claim"}, format="json")
    assert rejected.json()["data"]["done"] == [second.pk]
    assert Review.objects.get(pk=second.pk).status == "rejected"


@pytest.mark.parametrize(
    "body",
    [{"ids": [], "action": "approve"}, {"ids": [1], "action": "delete"}, {"ids": ["x"], "action": "reject"}],
)
def test_bad_bulk_input_is_a_clear_400_that_changes_nothing(body):
    review = _held_review()
    before = review.status

    response = _client(ModeratorFactory()).post(URL, body, format="json")

    assert response.status_code == 400 and response.json()["status"] == "error"
    assert Review.objects.get(pk=review.pk).status == before


def test_expert_cannot_bulk_decide():
    review = _held_review()
    assert (
        _client(ExpertFactory()).post(URL, {"ids": [review.pk], "action": "approve"}, format="json").status_code == 403
    )
