"""The review widgets the shop's pages load by name (reviews/templatetags/reviews_widgets.py)."""

import pytest
from django.core.cache import cache
from django.test import Client

from reviews.models import ContentStatus, Review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _review(product, rating, skin_type="oily", status=ContentStatus.APPROVED, **fields):
    return Review.objects.create(
        product=product,
        user=UserFactory(),
        rating=rating,
        skin_type_at_review=skin_type,
        status=status,
        **fields,
    )


def test_product_page_draws_the_review_summary_as_labelled_svg(client):
    product = ProductFactory(slug="calm-serum")
    _review(product, 5, effectiveness_rating=5, texture_rating=4, visible_results=True)
    _review(product, 5, effectiveness_rating=4, texture_rating=4, visible_results=True)
    _review(product, 3, skin_type="dry", effectiveness_rating=3, would_recommend=False)
    _review(product, 1, status=ContentStatus.PENDING)  # not counted

    html = client.get("/p/calm-serum/").content.decode()

    assert "4.3 out of 5 from 3 reviews." in html
    assert "67% would recommend it." in html
    assert '<svg role="img" aria-labelledby="histogram-title histogram-desc"' in html
    assert (
        '<desc id="histogram-desc">5 stars: 2 reviews; 4 stars: 0 reviews; 3 stars: 1 review; '
        "2 stars: 0 reviews; 1 stars: 0 reviews</desc>"
    ) in html
    # 2 of 3 reviews: a bar of 2/3 of the 200 px track, with its number as text beside it.
    assert '<rect class="bar" x="70" y="6" width="133" height="14" rx="3"></rect>' in html
    assert "Effectiveness: 4.0; Texture: 4.0" in html
    assert '<th scope="row">Oily</th><td>2</td><td>5.0</td><td>100%</td>' in html
    assert '<th scope="row">Dry</th><td>1</td><td>3.0</td><td>0%</td>' in html


def test_home_lists_products_best_rated_by_the_shoppers_skin_type():
    loved = ProductFactory(name="Loved by oily skin")
    liked = ProductFactory(name="Liked by oily skin")
    dry_favourite = ProductFactory(name="Dry favourite")
    _review(loved, 5)
    _review(loved, 5)
    _review(liked, 4)
    _review(dry_favourite, 5, skin_type="dry")
    client = Client()
    client.force_login(UserFactory(skin_type="oily"))

    html = client.get("/").content.decode()

    assert "Best rated by people with Oily skin" in html
    section = html.split('id="best-rated-skin"')[1].split("</section>")[0]
    assert section.index("Loved by oily skin") < section.index("Liked by oily skin")
    assert "Dry favourite" not in section
    assert "5.0 out of 5 from 2 reviews by your skin type" in section


def test_review_summary_queries_do_not_grow_with_the_reviews(client, django_assert_num_queries):
    product = ProductFactory(slug="p")
    _review(product, 4, effectiveness_rating=4)
    with django_assert_num_queries(15):  # + the ml widgets: stored similar list, bought-together aggregate
        client.get("/p/p/")
    for rating in (1, 2, 3, 4, 5, 5, 5):
        _review(product, rating, skin_type="dry", effectiveness_rating=rating)
    cache.clear()
    with django_assert_num_queries(15):
        client.get("/p/p/")


def test_product_page_lists_reviews_with_filters_and_photos_votes(client):
    product = ProductFactory(slug="listed")
    _review(product, 5, title="Calmer skin", helpful_votes_count=3, is_verified_purchase=True)
    _review(product, 2, title="Broke me out", skin_type="dry")
    _review(product, 4, title="Waiting review", status=ContentStatus.PENDING)

    everything = client.get("/p/listed/").content.decode()
    dry_only = client.get("/p/listed/", {"skin_type": "dry"}).content.decode()

    assert everything.index("Calmer skin") < everything.index("Broke me out")  # most helpful first
    assert "Waiting review" not in everything
    assert "3 shoppers found this helpful" in everything
    assert "Verified purchase" in everything
    assert "Broke me out" in dry_only and "Calmer skin" not in dry_only


def test_helpful_vote_and_report_from_the_product_page():
    from feedback.models import ModerationReport

    product = ProductFactory(slug="voted")
    review = _review(product, 5, title="Calmer skin")
    client = Client()
    client.force_login(UserFactory())

    page = client.get("/p/voted/").content.decode()
    assert f'action="/reviews/{review.pk}/vote/"' in page
    client.post(f"/reviews/{review.pk}/vote/", {"vote_type": "helpful", "next": "/p/voted/"})
    again = client.post(f"/reviews/{review.pk}/vote/", {"vote_type": "helpful", "next": "/p/voted/"}, follow=True)
    reported = client.post(f"/reviews/{review.pk}/report/", {"reason": "spam", "next": "/p/voted/"}, follow=True)

    review.refresh_from_db()
    assert review.helpful_votes_count == 1
    assert "You already voted this review helpful." in again.content.decode()
    assert "Thanks, a moderator will look at this review." in reported.content.decode()
    assert list(ModerationReport.objects.values_list("item__content_id", "reason")) == [(review.pk, "spam")]


def test_the_product_pages_cached_reviews_follow_votes_and_moderation(client, run_on_commit, staff_user):
    from feedback.models import ModerationItem
    from feedback.services import moderation_reject
    from reviews.tests.test_reviews_api import APIClientFor, post_review

    product = ProductFactory(slug="cached")
    review_id = post_review(APIClientFor(UserFactory()), product, title="Calmer skin").json()["data"]["id"]
    shopper = Client()
    shopper.force_login(UserFactory())
    assert "0 shoppers found this helpful" in client.get("/p/cached/").content.decode()
    assert "0 shoppers found this helpful" in shopper.get("/p/cached/").content.decode()
    assert "out of 5 from 1 review." in client.get("/p/cached/").content.decode()

    shopper.post(f"/reviews/{review_id}/vote/", {"vote_type": "helpful", "next": "/p/cached/"})
    assert "1 shopper found this helpful" in client.get("/p/cached/").content.decode()  # guest: cached HTML
    assert "1 shopper found this helpful" in shopper.get("/p/cached/").content.decode()  # cached rows
    assert "Calmer skin" in client.get("/p/cached/?rating=5").content.decode()

    moderation_reject(item=ModerationItem.objects.get(content_type="review", content_id=review_id), by=staff_user)
    for page in (client.get("/p/cached/"), shopper.get("/p/cached/"), client.get("/p/cached/?rating=5")):
        html = page.content.decode()
        assert "Calmer skin" not in html and "out of 5 from 1 review" not in html


def test_review_votes_need_sign_in(client):
    review = _review(ProductFactory(), 5)

    response = client.post(f"/reviews/{review.pk}/vote/", {"vote_type": "helpful"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_product_page_shows_questions_with_expert_answers_first(client):
    from reviews.models import Answer, Question

    product = ProductFactory(slug="asked")
    question = Question.objects.create(
        product=product,
        user=UserFactory(),
        question="Can I use it with retinol?",
        status=ContentStatus.APPROVED,
        answer_count=2,
        is_answered=True,
    )
    Answer.objects.create(
        question=question,
        user=UserFactory(),
        answer="I do, no problem.",
        status=ContentStatus.APPROVED,
        helpful_votes=9,
    )
    Answer.objects.create(
        question=question,
        user=UserFactory(),
        answer="Yes, on alternate nights.",
        status=ContentStatus.APPROVED,
        is_from_expert=True,
        expert_credentials="Dermatologist",
    )
    Question.objects.create(product=product, user=UserFactory(), question="Hidden?", status=ContentStatus.PENDING)

    html = client.get("/p/asked/").content.decode()

    assert "Can I use it with retinol?" in html
    assert "Hidden?" not in html
    assert '<span class="badge">Expert</span> <span class="brand-name">Dermatologist</span>' in html
    assert html.index("Yes, on alternate nights.") < html.index("I do, no problem.")
