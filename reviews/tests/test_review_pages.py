"""Review and question pages: write or edit a review with before/after photos, my reviews, my
questions, ask a question. Same services as the API; errors next to their fields, nothing changed."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from feedback.models import ContentType, ModerationItem
from reviews import qa, services
from reviews.models import Answer, ContentStatus, Question, Review, ReviewMedia
from reviews.tests.helpers import deliver, review_payload
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.files.models import UploadedFile
from shop.files.tests.factories import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

# session, user, header (category menu, cart count), then the page's count, rows and their photos
MY_REVIEWS_QUERIES = 7
# session, user, header (category menu, cart count), then the page's count, questions, answers, answer photos
MY_QUESTIONS_QUERIES = 8
# anonymous product page, cold: product payload (4), category tree, related, review summary (3), reviews,
# questions, then the public journals, their entries and the entries' photos
PRODUCT_PAGE_WITH_JOURNALS_QUERIES = 15  # + the ml widgets: similar list, bought together


@pytest.fixture(autouse=True)
def _screen_everything(settings):
    """Nothing is approved automatically: the pages must say that the review waits for moderation."""
    settings.MODERATION_AUTO_APPROVE = False


@pytest.fixture
def shopper(db):
    return UserFactory(skin_type="oily")


@pytest.fixture
def shopper_client(shopper):
    client = Client()
    client.force_login(shopper)
    return client


def photo(name="before.jpg", color=(200, 120, 90)):
    return SimpleUploadedFile(name, jpeg_bytes(color=color), content_type="image/jpeg")


def review_form(**overrides):
    return {
        "rating": "4",
        "title": "Calmer skin",
        "review_text": "Less redness after three weeks.",
        "skin_type_at_review": "oily",
        "usage_duration": "21",
        "how_often_used": "daily",
        "visible_results": "on",
        "would_recommend": "on",
        "effectiveness_rating": "5",
        "texture_rating": "4",
        "scent_rating": "",
        "packaging_rating": "",
        "value_for_money_rating": "3",
        "skin_condition_before": "Red cheeks",
        "skin_condition_after": "Calmer",
        "side_effects": "",
        "before_days": "0",
        "after_days": "21",
        **overrides,
    }


@pytest.mark.parametrize(
    "url",
    ["/reviews/write/1/", "/reviews/ask/1/", "/account/reviews/", "/account/reviews/1/", "/account/questions/"],
)
def test_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_write_form_offers_the_shoppers_skin_type(shopper_client, product):
    page = shopper_client.get(f"/reviews/write/{product.pk}/").content.decode()

    assert f"Review {product.name}" in page
    assert '<option value="oily" selected>' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_review_with_before_and_after_photos_waits_for_moderation(shopper_client, shopper, product):
    response = shopper_client.post(
        f"/reviews/write/{product.pk}/",
        {**review_form(), "before_photo": photo(), "after_photo": photo("after.jpg", color=(90, 160, 120))},
    )

    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/account/reviews/{review.pk}/"
    assert (review.user, review.product, review.rating, review.status) == (shopper, product, 4, ContentStatus.PENDING)
    assert (review.effectiveness_rating, review.texture_rating, review.scent_rating) == (5, 4, None)
    assert (review.usage_duration, review.how_often_used, review.visible_results, review.would_recommend) == (
        21, "daily", True, True
    )  # fmt: skip
    photos = list(ReviewMedia.objects.order_by("sort_order").values_list("photo_type", "days_of_usage", "status"))
    assert photos == [("before", 0, "pending"), ("after", 21, "pending")]
    assert set(ModerationItem.objects.values_list("content_type", flat=True)) == {
        ContentType.REVIEW, ContentType.REVIEW_PHOTO
    }  # fmt: skip
    assert not UploadedFile.objects.filter(is_temporary=True).exists()  # both attached to the review

    page = shopper_client.get(response["Location"]).content.decode()
    assert "Thank you! Your review is waiting for moderation and appears once it is approved." in page
    assert "Pending moderation: others see it once a moderator approves it." in page
    assert 'alt="Your before photo"' in page and 'alt="Your after photo"' in page
    product_page = Client().get(f"/p/{product.slug}/").content.decode()
    assert "Calmer skin" not in product_page  # not approved yet


def test_missing_rating_shows_the_field_error_and_saves_nothing(shopper_client, product):
    response = shopper_client.post(f"/reviews/write/{product.pk}/", review_form(rating="", title="Kept title"))

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="f-rating-error"' in page and "Please correct the fields marked below." in page
    assert 'value="Kept title"' in page  # what the shopper typed stays
    assert Review.objects.count() == 0


def test_days_out_of_range_are_refused_before_any_upload(shopper_client, product):
    response = shopper_client.post(
        f"/reviews/write/{product.pk}/", {**review_form(before_days="9999"), "before_photo": photo()}
    )

    assert response.status_code == 400
    assert 'id="f-before_days-error"' in response.content.decode()
    assert (Review.objects.count(), UploadedFile.objects.count()) == (0, 0)


def test_a_file_that_is_not_an_image_is_refused_by_its_content(shopper_client, product):
    fake = SimpleUploadedFile("before.jpg", b"<?php echo 'hi'; ?>" * 40, content_type="image/jpeg")

    response = shopper_client.post(f"/reviews/write/{product.pk}/", {**review_form(), "before_photo": fake})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="f-before_photo-error"' in page and "Please choose the photo again." in page
    assert (Review.objects.count(), UploadedFile.objects.count()) == (0, 0)


def test_a_too_small_photo_is_refused_with_the_files_message(shopper_client, product):
    small = SimpleUploadedFile("after.png", png_bytes(size=(120, 120)), content_type="image/png")

    response = shopper_client.post(f"/reviews/write/{product.pk}/", {**review_form(), "after_photo": small})

    assert response.status_code == 400
    assert 'id="f-after_photo-error"' in response.content.decode()
    assert Review.objects.count() == 0


def test_writing_again_opens_the_existing_review(shopper_client, shopper, product):
    review = services.review_create(user=shopper, product_id=product.pk, **review_payload())

    response = shopper_client.get(f"/reviews/write/{product.pk}/")

    assert response.status_code == 302 and response["Location"] == f"/account/reviews/{review.pk}/"
    assert shopper_client.post(f"/reviews/write/{product.pk}/", review_form()).status_code == 302
    assert Review.objects.count() == 1


def test_an_unknown_or_inactive_product_is_404(shopper_client):
    hidden = ProductFactory(status="draft", published_at=None)

    assert shopper_client.get("/reviews/write/999999/").status_code == 404
    assert shopper_client.post(f"/reviews/write/{hidden.pk}/", review_form()).status_code == 404
    assert Review.objects.count() == 0


def test_editing_sends_the_review_back_to_moderation_and_keeps_its_photos(shopper_client, shopper, product):
    shopper_client.post(f"/reviews/write/{product.pk}/", {**review_form(), "before_photo": photo()})
    review = Review.objects.get()
    services.review_approve(review=review, by=None)
    assert Review.objects.get().status == ContentStatus.APPROVED

    form_page = shopper_client.get(f"/account/reviews/{review.pk}/").content.decode()
    assert 'id="f-rating-4" name="rating" value="4" checked' in form_page
    assert "Published" in form_page
    response = shopper_client.post(
        f"/account/reviews/{review.pk}/",
        review_form(rating="2", title="Broke me out", after_photo=photo("a.jpg", color=(20, 40, 200))),
    )

    review.refresh_from_db()
    assert response.status_code == 302
    assert (review.rating, review.title, review.status) == (2, "Broke me out", ContentStatus.PENDING)
    assert list(review.media.values_list("photo_type", flat=True).order_by("sort_order")) == ["before", "after"]
    product.refresh_from_db()
    assert product.review_count == 0  # no approved review counts while the edit waits


def test_another_shoppers_review_cannot_be_opened_edited_or_deleted(shopper_client, product):
    other = services.review_create(user=UserFactory(), product_id=product.pk, **review_payload())

    assert shopper_client.get(f"/account/reviews/{other.pk}/").status_code == 404
    assert shopper_client.post(f"/account/reviews/{other.pk}/", review_form(rating="1")).status_code == 404
    assert shopper_client.post(f"/account/reviews/{other.pk}/delete/").status_code == 404
    other.refresh_from_db()
    assert other.rating == 5


def test_removing_a_photo_and_deleting_the_review(shopper_client, product):
    shopper_client.post(f"/reviews/write/{product.pk}/", {**review_form(), "before_photo": photo()})
    review = Review.objects.get()
    media = review.media.get()

    response = shopper_client.post(f"/account/reviews/{review.pk}/photos/{media.pk}/remove/")
    assert response.status_code == 302 and not ReviewMedia.objects.exists()
    assert UploadedFile.objects.get().status == "deleted"

    response = shopper_client.post(f"/account/reviews/{review.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/account/reviews/"
    assert not Review.objects.exists()


def test_my_reviews_lists_every_state_in_constant_queries(shopper_client, shopper, django_assert_num_queries):
    first = services.review_create(user=shopper, product_id=ProductFactory(name="Toner A").pk, **review_payload())
    services.review_reject(review=first, by=None, notes="Mentions a medical cure")

    with django_assert_num_queries(MY_REVIEWS_QUERIES):
        page = shopper_client.get("/account/reviews/").content.decode()
    assert "Not published: Mentions a medical cure" in page

    for name in ("Serum B", "Cream C"):
        services.review_create(user=shopper, product_id=ProductFactory(name=name).pk, **review_payload())
    services.review_create(user=UserFactory(), product_id=ProductFactory(name="Not mine").pk, **review_payload())
    with django_assert_num_queries(MY_REVIEWS_QUERIES):
        page = shopper_client.get("/account/reviews/").content.decode()
    assert [name for name in ("Toner A", "Serum B", "Cream C", "Not mine") if name in page] == [
        "Toner A", "Serum B", "Cream C"
    ]  # fmt: skip
    assert page.count("Pending moderation") == 2


def test_ask_a_question_from_the_product_page(shopper_client, shopper, product):
    product_page = shopper_client.get(f"/p/{product.slug}/").content.decode()
    assert f'action="/reviews/ask/{product.pk}/"' in product_page
    assert f'href="/reviews/write/{product.pk}/"' in product_page

    response = shopper_client.post(
        f"/reviews/ask/{product.pk}/", {"question": "Can I use it with retinol?", "skin_type_context": "oily"}
    )

    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/{product.slug}/#questions-title"
    assert (question.user, question.product, question.skin_type_context, question.status) == (
        shopper, product, "oily", ContentStatus.PENDING
    )  # fmt: skip
    page = shopper_client.get(response["Location"]).content.decode()
    assert "Thank you! Your question appears once a moderator has approved it." in page


def test_a_too_short_question_comes_back_with_the_error_and_the_text(shopper_client, product):
    response = shopper_client.post(f"/reviews/ask/{product.pk}/", {"question": "Ok?", "skin_type_context": "dry"})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="f-question-error"' in page and ">Ok?</textarea>" in page
    assert '<option value="dry" selected>' in page
    assert Question.objects.count() == 0


def test_anonymous_shoppers_are_asked_to_sign_in_to_ask(client, product):
    page = client.get(f"/p/{product.slug}/").content.decode()

    assert "Sign in to ask a question" in page and "/reviews/ask/" not in page


def test_product_page_answers_show_expert_and_verified_badges(client, product):
    asker, expert = UserFactory(), UserFactory()
    question = qa.question_create(user=asker, product_id=product.pk, question="Is it safe for acne-prone skin?")
    qa.qa_approve(obj=question, by=None)
    answer = Answer.objects.create(
        question=question, user=expert, answer="Yes, it is non-comedogenic.", is_from_expert=True,
        expert_credentials="Dermatologist",
    )  # fmt: skip
    qa.qa_approve(obj=answer, by=None)
    qa.answer_verify(answer_id=answer.pk, by=None)

    page = client.get(f"/p/{product.slug}/").content.decode()

    assert "Yes, it is non-comedogenic." in page
    assert '<span class="badge">Expert</span> <span class="brand-name">Dermatologist</span>' in page
    assert '<span class="badge badge-ok">Verified answer</span>' in page


def test_my_questions_show_their_state_and_answers_in_constant_queries(
    shopper_client, shopper, product, django_assert_num_queries
):
    answered = qa.question_create(user=shopper, product_id=product.pk, question="Does it pill under makeup?")
    qa.qa_approve(obj=answered, by=None)
    qa.qa_approve(obj=qa.answer_create(user=UserFactory(), question_id=answered.pk, answer="Not for me."), by=None)

    with django_assert_num_queries(MY_QUESTIONS_QUERIES):
        page = shopper_client.get("/account/questions/").content.decode()
    assert "Does it pill under makeup?" in page and "Not for me." in page and "Published" in page

    for text in ("Fragrance free?", "Safe in pregnancy?"):
        qa.question_create(user=shopper, product_id=ProductFactory().pk, question=text)
    qa.question_create(user=UserFactory(), product_id=product.pk, question="Someone else's question?")
    with django_assert_num_queries(MY_QUESTIONS_QUERIES):
        page = shopper_client.get("/account/questions/").content.decode()
    assert "Fragrance free?" in page and "Safe in pregnancy?" in page
    assert "Someone else's question?" not in page
    assert page.count("Pending moderation") == 2


def test_review_list_filters_verified_purchases(client, product):
    buyer, visitor = UserFactory(), UserFactory()
    deliver(buyer, product)
    for user, title in ((buyer, "Bought it"), (visitor, "Sample only")):
        review = services.review_create(user=user, product_id=product.pk, **review_payload(title=title))
        services.review_approve(review=review, by=None)

    page = client.get(f"/p/{product.slug}/?verified=1").content.decode()

    assert "Bought it" in page and "Sample only" not in page
    assert 'name="verified" value="1" checked' in page


def _public_journal(product, skin_type, satisfactions, goals=""):
    from reviews import progress

    user = UserFactory(skin_type=skin_type)
    journal = progress.progress_start(user=user, product_id=product.pk, goals=goals, is_public=True)
    for week, satisfaction in enumerate(satisfactions, start=1):
        progress.progress_entry_add(
            user=user, journal_id=journal.pk, week_number=week, overall_satisfaction=satisfaction, skin_improvement=3
        )
    return journal


def test_product_page_shows_public_journals_in_constant_queries(client, product, django_assert_num_queries):
    from reviews import progress

    _public_journal(product, "acne", [2, 3, 5])
    progress.progress_start(user=UserFactory(), product_id=product.pk, goals="Private goals")  # not public

    with django_assert_num_queries(PRODUCT_PAGE_WITH_JOURNALS_QUERIES):
        page = client.get(f"/p/{product.slug}/").content.decode()
    assert "A shopper with Acne-prone skin" in page
    assert "3 weeks recorded · satisfaction 2 of 5 at first, 5 of 5 in the latest week" in page
    assert "Private goals" not in page

    for skin_type in ("dry", "oily", "normal"):
        _public_journal(product, skin_type, [4])
    cache.clear()
    with django_assert_num_queries(PRODUCT_PAGE_WITH_JOURNALS_QUERIES):
        page = client.get(f"/p/{product.slug}/").content.decode()
    assert page.count("week recorded") + page.count("weeks recorded") == 3  # the 3 most recently updated
