"""``User.avg_rating`` follows the ratings of the user's approved reviews; staff delete reviews."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from feedback.models import ModerationItem
from feedback.services import moderation_approve
from reviews.community import community_score_recalculate
from reviews.models import Review
from reviews.tests.helpers import review_payload
from shop.accounts.models import User
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CLAIM = "This cures acne and eczema, better than any prescription."


def avg_rating(user):
    return User.objects.get(pk=user.pk).avg_rating


def review(client, product, rating, **extra):
    response = client.post(
        f"/api/v1/products/{product.pk}/reviews", review_payload(rating=rating, **extra), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]["id"]


def test_avg_rating_follows_approved_reviews(auth_client, user, staff_user):
    a, b, c, d = ProductFactory.create_batch(4)
    assert avg_rating(user) == Decimal("0.00")

    first = review(auth_client, a, 5)
    assert avg_rating(user) == Decimal("5.00")
    second = review(auth_client, b, 2)
    assert avg_rating(user) == Decimal("3.50")
    review(auth_client, c, 4)
    assert avg_rating(user) == Decimal("3.67")

    flagged = review(auth_client, d, 1, review_text=CLAIM)  # waits for a moderator: not counted
    assert avg_rating(user) == Decimal("3.67")
    moderation_approve(item=ModerationItem.objects.get(content_type="review", content_id=flagged), by=staff_user)
    assert avg_rating(user) == Decimal("3.00")

    edited = auth_client.patch(f"/api/v1/reviews/{second}", {"review_text": CLAIM}, format="json")
    assert edited.json()["data"]["status"] == "flagged"
    assert avg_rating(user) == Decimal("3.33")  # 5, 4, 1

    assert auth_client.delete(f"/api/v1/reviews/{first}").status_code == 204
    assert avg_rating(user) == Decimal("2.50")  # 4, 1

    User.objects.filter(pk=user.pk).update(avg_rating=Decimal("0.00"))
    community_score_recalculate(user=user)
    assert avg_rating(user) == Decimal("2.50")


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("author", 403), ("other shopper", 403), ("staff", 204)]
)
def test_staff_delete_review(user, staff_user, product, who, expected):
    author = APIClient()
    author.force_authenticate(user)
    review_id = review(author, product, 4)
    other_product = ProductFactory()
    review(author, other_product, 2)
    clients = {"anonymous": None, "author": user, "other shopper": UserFactory(), "staff": staff_user}
    client = APIClient()
    if clients[who] is not None:
        client.force_authenticate(clients[who])

    response = client.delete(f"/api/v1/staff/reviews/{review_id}")

    assert response.status_code == expected
    product.refresh_from_db()
    user.refresh_from_db()
    if expected == 204:
        assert not Review.objects.filter(pk=review_id).exists()
        assert (product.review_count, product.rating_avg) == (0, Decimal("0.00"))
        assert (user.reviews_written, user.avg_rating) == (1, Decimal("2.00"))
        assert ModerationItem.objects.filter(content_type="review", content_id=review_id).count() == 0
    else:
        assert Review.objects.filter(pk=review_id).exists()
        assert (product.review_count, product.rating_avg) == (1, Decimal("4.00"))
        assert (user.reviews_written, user.avg_rating) == (2, Decimal("3.00"))


def test_staff_delete_unknown_review_is_404(staff_client):
    response = staff_client.delete("/api/v1/staff/reviews/999999")
    assert response.status_code == 404 and response.json()["code"] == "REVIEW_NOT_FOUND"
