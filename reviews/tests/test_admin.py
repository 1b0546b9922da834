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


def test_staff_cannot_rewrite_a_review_in_the_admin(admin_session, user):
    from decimal import Decimal

    from reviews.models import Review
    from reviews.services import review_create
    from reviews.tests.helpers import review_payload
    from shop.catalog.tests.factories import ProductFactory

    product = ProductFactory()
    review = review_create(user=user, product_id=product.pk, **review_payload(rating=5, title="Calmer skin"))
    url = f"/admin/reviews/review/{review.pk}/change/"

    page = admin_session.get(url).content.decode()
    assert 'name="rating"' not in page and 'name="review_text"' not in page and 'name="_save"' not in page

    admin_session.post(
        url,
        {"rating": 1, "title": "Rewritten", "review_text": "Staff words", "product": product.pk, "user": user.pk},
    )

    review = Review.objects.get(pk=review.pk)
    assert (review.rating, review.title) == (5, "Calmer skin")
    product.refresh_from_db()
    assert (product.review_count, product.rating_avg) == (1, Decimal("5.00"))


def test_admin_deletes_reviews_through_the_service(admin_session, user):
    from decimal import Decimal

    from reviews.models import Review
    from reviews.services import review_create
    from reviews.tests.helpers import review_payload
    from shop.catalog.tests.factories import ProductFactory

    product = ProductFactory()
    review = review_create(user=user, product_id=product.pk, **review_payload(rating=4))
    product.refresh_from_db()
    assert product.review_count == 1

    refused = admin_session.post(
        "/admin/reviews/review/", {"action": "delete_selected", "_selected_action": [review.pk], "post": "yes"}
    )
    assert refused.status_code == 302 and Review.objects.filter(pk=review.pk).exists()

    admin_session.post("/admin/reviews/review/", {"action": "delete_reviews", "_selected_action": [review.pk]})

    assert not Review.objects.filter(pk=review.pk).exists()
    product.refresh_from_db()
    user.refresh_from_db()
    assert (product.review_count, product.rating_avg) == (0, Decimal("0.00"))
    assert (user.reviews_written, user.avg_rating) == (0, Decimal("0.00"))


@pytest.mark.parametrize("model", ["question", "answer", "progressjournal"])
def test_customer_text_is_read_only_in_the_admin(admin_session, user, model):
    from reviews.models import Answer, ProgressJournal, Question
    from shop.catalog.tests.factories import ProductFactory

    product = ProductFactory()
    question = Question.objects.create(product=product, user=user, question="Is it vegan?", status="approved")
    objects = {
        "question": (question, "question"),
        "answer": (Answer.objects.create(question=question, user=user, answer="Yes it is."), "answer"),
        "progressjournal": (ProgressJournal.objects.create(user=user, product=product, goals="Clear skin"), "goals"),
    }
    obj, field = objects[model]
    url = f"/admin/reviews/{model}/{obj.pk}/change/"
    before = getattr(obj, field)

    assert f'name="{field}"' not in admin_session.get(url).content.decode()
    admin_session.post(url, {field: "Rewritten by staff"})

    obj.refresh_from_db()
    assert getattr(obj, field) == before
