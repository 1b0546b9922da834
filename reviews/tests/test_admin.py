import pytest
from django.contrib.auth.models import Permission
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_session(staff_user):
    staff_user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["feedback", "reviews"]))
    client = Client()
    client.force_login(staff_user)
    return client


def test_review_admin_pages(admin_session, user):
    from reviews.tests.helpers import review_payload
    from shop.catalog.tests.factories import ProductFactory

    product = ProductFactory()
    from reviews.services import review_create

    review = review_create(user=user, product_id=product.pk, **review_payload(review_text="cures acne"))
    assert admin_session.get("/admin/reviews/review/").status_code == 200
    assert admin_session.get(f"/admin/reviews/review/{review.pk}/change/").status_code == 200
    admin_session.post("/admin/reviews/review/", {"action": "approve_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == "approved"
    for url in ("/admin/reviews/question/", "/admin/reviews/answer/", "/admin/reviews/progressjournal/",
                "/admin/feedback/notification/", "/admin/feedback/productfeedbackresponse/"):  # fmt: skip
        assert admin_session.get(url).status_code == 200, url
