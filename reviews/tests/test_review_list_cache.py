"""The public review list is served from the cache (``reviews.cache``) and shows every change at once:
each test reads the list (so it is cached), changes something the list shows, and reads it again."""

import pytest
from django.core.cache import cache

from feedback.models import ModerationItem
from feedback.services import moderation_approve, moderation_reject
from reviews.models import Review, ReviewMedia
from reviews.tests.helpers import deliver
from reviews.tests.test_reviews_api import APIClientFor, post_review, reviews_url, upload_photo
from shop.accounts.models import Role
from shop.accounts.services import profile_update, user_set_role
from shop.accounts.tests.factories import UserFactory
from shop.catalog import services as catalog_services
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def listed(client, product, **params):
    return client.get(reviews_url(product), params).json()["data"]


@pytest.fixture
def author():
    return UserFactory(first_name="Dara", last_name="Sok", skin_type="oily")


@pytest.fixture
def review_id(author, product):
    return post_review(APIClientFor(author), product).json()["data"]["id"]


def test_a_cached_page_runs_no_query_and_is_the_answer_built_fresh(
    api_client, product, review_id, django_assert_num_queries
):
    api_client.get(f"/api/v1/products/{product.pk}")  # the catalog caches the product's public payload
    first = api_client.get(reviews_url(product), {"sort": "newest"})
    with django_assert_num_queries(0):
        cached = api_client.get(reviews_url(product), {"sort": "newest"})
    cache.clear()
    fresh = api_client.get(reviews_url(product), {"sort": "newest"})
    assert cached.content == first.content == fresh.content
    assert cached["Content-Type"] == fresh["Content-Type"] == "application/json"
    assert cached.json()["data"][0]["id"] == review_id and cached.json()["meta"]["total"] == 1


def test_the_first_read_of_an_emptied_cache_is_kept(api_client, product, review_id, django_assert_num_queries):
    cache.clear()  # no list version yet (a fresh or evicted cache): the first read creates one
    api_client.get(f"/api/v1/products/{product.pk}")
    first = api_client.get(reviews_url(product))
    with django_assert_num_queries(0):
        assert api_client.get(reviews_url(product)).content == first.content


def test_pages_and_filters_are_cached_apart(api_client, product):
    for rating in (5, 4, 3):
        post_review(APIClientFor(UserFactory()), product, rating=rating)
    assert [r["rating"] for r in listed(api_client, product, sort="highest", per_page=2)] == [5, 4]
    assert [r["rating"] for r in listed(api_client, product, sort="highest", per_page=2, page=2)] == [3]
    assert [r["rating"] for r in listed(api_client, product, rating=4)] == [4]
    assert [r["rating"] for r in listed(api_client, product, sort="highest", per_page=2)] == [5, 4]


def test_a_helpful_vote_shows_at_once_with_the_authors_new_score(api_client, product, author, review_id):
    before = listed(api_client, product)[0]
    assert before["helpful_votes_count"] == 0
    APIClientFor(UserFactory()).post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "helpful"}, format="json")
    after = listed(api_client, product)[0]
    assert after["helpful_votes_count"] == 1 and after["total_votes_count"] == 1
    assert after["author"]["community_score"] == before["author"]["community_score"] + 2


def test_the_viewers_own_votes_are_not_cached_for_others(api_client, product, review_id):
    voter = APIClientFor(UserFactory())
    assert listed(voter, product)[0]["my_vote"] is None
    voter.post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "unhelpful"}, format="json")
    assert listed(voter, product)[0]["my_vote"] == "unhelpful"
    assert listed(voter, product)[0]["my_vote"] == "unhelpful"  # from the cached page
    assert listed(api_client, product)[0]["my_vote"] is None
    assert listed(APIClientFor(UserFactory()), product)[0]["my_vote"] is None
    voter.delete(f"/api/v1/reviews/{review_id}/vote")
    assert listed(voter, product)[0]["my_vote"] is None


def test_a_score_earned_on_another_product_shows_in_this_products_list(api_client, product, author, review_id):
    other = ProductFactory()
    other_review = post_review(APIClientFor(author), other).json()["data"]["id"]
    score = listed(api_client, product)[0]["author"]["community_score"]
    APIClientFor(UserFactory()).post(f"/api/v1/reviews/{other_review}/vote", {"vote_type": "helpful"}, format="json")
    assert listed(api_client, product)[0]["author"]["community_score"] == score + 2


def test_the_authors_profile_and_role_show_at_once(api_client, product, author, review_id):
    assert listed(api_client, product)[0]["author"]["name"] == "Dara S."
    profile_update(user=author, data={"first_name": "Sophea", "skin_type": "dry"})
    shown = listed(api_client, product)[0]["author"]
    assert shown["name"] == "Sophea S." and shown["skin_type"] == "dry" and shown["is_expert"] is False
    user_set_role(user=author, role=Role.EXPERT)
    assert listed(api_client, product)[0]["author"]["is_expert"] is True


def test_a_deleted_author_becomes_a_former_customer(api_client, product, author, review_id):
    assert listed(api_client, product)[0]["author"]["id"] == author.pk
    author.delete()
    assert listed(api_client, product)[0]["author"] == {"id": None, "name": "Former customer"}


def test_moderation_edits_and_deletion_show_at_once(api_client, product, author, review_id, staff_user):
    assert listed(api_client, product)[0]["title"] != "Changed my mind"
    client = APIClientFor(author)
    client.patch(f"/api/v1/reviews/{review_id}", {"title": "Changed my mind"}, format="json")  # re-approved at once
    assert listed(api_client, product)[0]["title"] == "Changed my mind"
    moderation_reject(item=ModerationItem.objects.get(content_type="review", content_id=review_id), by=staff_user)
    assert listed(api_client, product) == []
    moderation_approve(item=ModerationItem.objects.get(content_type="review", content_id=review_id), by=staff_user)
    assert [r["id"] for r in listed(api_client, product)] == [review_id]
    client.delete(f"/api/v1/reviews/{review_id}")
    assert listed(api_client, product) == []


def test_a_delivered_order_shows_the_review_as_a_verified_purchase(api_client, product, author, review_id):
    from shop.orders.models import Order
    from skincare import events

    assert listed(api_client, product)[0]["is_verified_purchase"] is False
    order = deliver(author, product)
    events.order_status_changed.send(sender=Order, order=order, old_status="shipped", new_status="delivered", by=None)
    assert listed(api_client, product)[0]["is_verified_purchase"] is True


def test_an_approved_photo_shows_at_once(api_client, product, author, staff_user):
    photo = upload_photo(author)
    review_id = post_review(APIClientFor(author), product, photos=[{"file_id": str(photo.public_id)}]).json()["data"][
        "id"
    ]
    assert listed(api_client, product)[0]["media"] == []
    media = ReviewMedia.objects.get(review_id=review_id)
    moderation_approve(item=ModerationItem.objects.get(content_type="review_photo", content_id=media.pk), by=staff_user)
    assert [m["file_id"] for m in listed(api_client, product)[0]["media"]] == [str(photo.public_id)]


def test_the_products_new_name_and_unpublishing_show_at_once(api_client, product, review_id):
    assert listed(api_client, product)[0]["product"]["name"] == product.name
    catalog_services.product_update(product=product, data={"name": "Renamed serum"})
    assert listed(api_client, product)[0]["product"]["name"] == "Renamed serum"
    catalog_services.products_bulk_update(product_ids=[product.pk], status="draft")
    assert api_client.get(reviews_url(product)).status_code == 404


def test_an_indented_answer_is_rendered_as_asked(api_client, product, review_id):
    compact = api_client.get(reviews_url(product))
    indented = api_client.get(reviews_url(product), HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "status"') and indented.json() == compact.json()
    assert api_client.get(reviews_url(product)).content == compact.content


def test_invalid_filters_are_never_answered_from_the_cache(api_client, product, review_id):
    assert api_client.get(reviews_url(product), {"rating": "6"}).status_code == 400
    assert api_client.get(reviews_url(product), {"rating": "6"}).status_code == 400
    assert api_client.get(reviews_url(product), {"page": "9"}).status_code == 404
    assert Review.objects.filter(pk=review_id).exists()
