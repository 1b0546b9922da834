from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback.models import ModerationItem, Notification
from feedback.services import moderation_approve, moderation_reject
from reviews.models import Review, ReviewVote
from reviews.tests.helpers import deliver, review_payload
from shop.accounts.tests.factories import UserFactory
from shop.catalog.models import Product
from shop.catalog.tests.factories import ProductFactory
from shop.files.services import file_upload
from shop.files.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def reviews_url(product):
    return f"/api/v1/products/{product.pk}/reviews"


def post_review(client, product, **overrides):
    return client.post(reviews_url(product), review_payload(**overrides), format="json")


def upload_photo(user, context="review", color=(200, 120, 90)):
    upload = SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color), content_type="image/jpeg")
    return file_upload(owner=user, context=context, uploads=[upload], temporary=True)[0]


def counters(product):
    product.refresh_from_db()
    return product.review_count, product.rating_avg


# --- Create --------------------------------------------------------------------------------------


def test_create_verified_review_is_published(auth_client, user, product):
    deliver(user, product)
    response = post_review(auth_client, product, skin_type_at_review="acne")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["status"] == "approved" and data["is_verified_purchase"] is True
    assert data["skin_type_at_review"] == "acne"
    assert counters(product) == (1, Decimal("5.00"))
    user.refresh_from_db()
    assert user.reviews_written == 1 and user.community_score == 10
    assert Notification.objects.filter(user=user, type="review_approved").count() == 1


def test_unverified_when_order_not_delivered(auth_client, user, product):
    deliver(user, product, status="shipped")
    data = post_review(auth_client, product).json()["data"]
    assert data["is_verified_purchase"] is False
    assert data["skin_type_at_review"] == user.skin_type


def test_delivery_after_review_marks_it_verified(auth_client, user, product):
    from shop.orders.models import Order
    from skincare import events

    review_id = post_review(auth_client, product).json()["data"]["id"]
    order = deliver(user, product, status="shipped")
    order.status = "delivered"
    order.save()
    events.order_status_changed.send(sender=Order, order=order, old_status="shipped", new_status="delivered", by=None)
    assert Review.objects.get(pk=review_id).is_verified_purchase is True
    user.refresh_from_db()
    assert user.community_score == 10


def test_one_review_per_product(auth_client, product):
    assert post_review(auth_client, product).status_code == 201
    response = post_review(auth_client, product)
    assert response.status_code == 409 and response.json()["code"] == "REVIEW_EXISTS"


@pytest.mark.parametrize(
    "overrides",
    [
        {"rating": 6},
        {"rating": 0},
        {"rating": "five"},
        {"skin_type_at_review": "scaly"},
        {"how_often_used": "hourly"},
        {"texture_rating": 9},
        {"usage_duration": -1},
        {"title": "x" * 256},
        {"review_text": "x" * 2001},
        {"used_with_other_products": ["a"]},
        {"photos": [{"file_id": "not-a-uuid"}]},
        {"photos": "nope"},
    ],
)
def test_bad_input_is_400(auth_client, product, overrides):
    response = post_review(auth_client, product, **overrides)
    assert response.status_code == 400, response.json()
    assert response.json()["status"] == "error"
    assert Review.objects.count() == 0


def test_missing_rating_and_unknown_products(auth_client, product):
    assert auth_client.post(reviews_url(product), {"title": "x"}, format="json").status_code == 400
    response = post_review(auth_client, product, used_with_other_products=[999999])
    assert response.status_code == 400 and response.json()["code"] == "UNKNOWN_PRODUCTS"


def test_unknown_or_inactive_product_is_404(auth_client):
    assert post_review(auth_client, type("P", (), {"pk": 999999})()).status_code == 404
    draft = ProductFactory(status="draft")
    assert post_review(auth_client, draft).status_code == 404


def test_anonymous_cannot_write(api_client, product):
    assert post_review(api_client, product).status_code == 401


# --- Moderation and visibility -----------------------------------------------------------------


def test_flagged_review_is_hidden_until_approved(auth_client, api_client, user, product, staff_user):
    response = post_review(auth_client, product, review_text="This cures acne better than my prescription.")
    data = response.json()["data"]
    assert data["status"] == "flagged"
    assert api_client.get(reviews_url(product)).json()["meta"]["total"] == 0
    assert api_client.get(f"/api/v1/reviews/{data['id']}").status_code == 404
    assert auth_client.get(f"/api/v1/reviews/{data['id']}").json()["data"]["status"] == "flagged"
    assert counters(product) == (0, Decimal("0.00"))

    item = ModerationItem.objects.get(content_type="review", content_id=data["id"])
    assert item.medical_claims_detected
    moderation_approve(item=item, by=staff_user, notes="personal experience")
    assert api_client.get(reviews_url(product)).json()["meta"]["total"] == 1
    assert counters(product) == (1, Decimal("5.00"))
    assert Notification.objects.filter(user=user, type="review_approved").count() == 1


def test_rejection_hides_review_and_notifies(auth_client, api_client, user, product, staff_user):
    review_id = post_review(auth_client, product).json()["data"]["id"]
    item = ModerationItem.objects.get(content_type="review", content_id=review_id)
    moderation_reject(item=item, by=staff_user, notes="Off-topic")
    assert api_client.get(reviews_url(product)).json()["meta"]["total"] == 0
    assert api_client.get(f"/api/v1/reviews/{review_id}").status_code == 404
    other = APIClientFor(UserFactory())
    assert other.get(f"/api/v1/reviews/{review_id}").status_code == 404
    mine = auth_client.get(f"/api/v1/reviews/{review_id}").json()["data"]
    assert mine["status"] == "rejected" and mine["moderation_notes"] == "Off-topic"
    assert counters(product) == (0, Decimal("0.00"))
    user.refresh_from_db()
    assert user.reviews_written == 0 and user.community_score == 0
    note = Notification.objects.get(user=user, type="review_rejected")
    assert "Off-topic" in note.message


def APIClientFor(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_review_endpoints(staff_client, auth_client, product):
    review_id = post_review(auth_client, product, review_text="It cures acne").json()["data"]["id"]
    pending = staff_client.get("/api/v1/staff/reviews/pending")
    assert [r["id"] for r in pending.json()["data"]] == [review_id]
    approved = staff_client.post(f"/api/v1/staff/reviews/{review_id}/approve", {}, format="json")
    assert approved.status_code == 200 and approved.json()["data"]["status"] == "approved"
    again = staff_client.post(f"/api/v1/staff/reviews/{review_id}/approve", {}, format="json")
    assert again.status_code == 409
    flagged = staff_client.post(f"/api/v1/staff/reviews/{review_id}/flag", {"notes": "check"}, format="json")
    assert flagged.status_code == 200
    assert ModerationItem.objects.get(content_type="review", content_id=review_id).escalated
    rejected = staff_client.post(f"/api/v1/staff/reviews/{review_id}/reject", {"notes": "no"}, format="json")
    assert rejected.json()["data"]["status"] == "rejected"
    assert staff_client.post("/api/v1/staff/reviews/999999/approve", {}, format="json").status_code == 404
    assert staff_client.get("/api/v1/staff/reviews", {"status": "rejected"}).json()["meta"]["total"] == 1
    assert staff_client.get("/api/v1/staff/reviews", {"status": "bad"}).status_code == 400
    analytics = staff_client.get("/api/v1/staff/reviews/analytics").json()["data"]
    assert analytics["by_status"]["rejected"] == 1
    assert auth_client.get("/api/v1/staff/reviews").status_code == 403
    assert auth_client.post(f"/api/v1/staff/reviews/{review_id}/approve", {}, format="json").status_code == 403


# --- Edit and delete -----------------------------------------------------------------------------


def test_edit_someone_elses_review_is_404(auth_client, product):
    theirs = post_review(APIClientFor(UserFactory()), product).json()["data"]["id"]
    assert auth_client.put(f"/api/v1/reviews/{theirs}", {"rating": 1}, format="json").status_code == 404
    assert auth_client.patch(f"/api/v1/reviews/{theirs}", {"rating": 1}, format="json").status_code == 404
    assert auth_client.delete(f"/api/v1/reviews/{theirs}").status_code == 404
    assert Review.objects.get(pk=theirs).rating == 5


def test_counters_follow_edit_and_delete(auth_client, user, product):
    other = APIClientFor(UserFactory())
    post_review(other, product, rating=3)
    review_id = post_review(auth_client, product, rating=5).json()["data"]["id"]
    assert counters(product) == (2, Decimal("4.00"))

    edited = auth_client.patch(f"/api/v1/reviews/{review_id}", {"rating": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["data"]["rating"] == 1
    assert counters(product) == (2, Decimal("2.00"))

    # an edit that needs review takes the review out of the counters until approved
    auth_client.patch(f"/api/v1/reviews/{review_id}", {"review_text": "It cures acne"}, format="json")
    assert Review.objects.get(pk=review_id).status == "flagged"
    assert counters(product) == (1, Decimal("3.00"))
    user.refresh_from_db()
    assert user.reviews_written == 0 and user.community_score == 0

    bad = auth_client.patch(f"/api/v1/reviews/{review_id}", {"rating": 7}, format="json")
    assert bad.status_code == 400

    assert auth_client.delete(f"/api/v1/reviews/{review_id}").status_code == 204
    assert counters(product) == (1, Decimal("3.00"))
    assert not ModerationItem.objects.filter(content_type="review", content_id=review_id).exists()
    assert auth_client.delete(f"/api/v1/reviews/{review_id}").status_code == 404


def test_counters_stay_consistent_with_recalculation(auth_client, user, product):
    from reviews.community import community_totals

    voter = APIClientFor(UserFactory())
    review_id = post_review(auth_client, product).json()["data"]["id"]
    voter.post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "helpful"}, format="json")
    auth_client.patch(f"/api/v1/reviews/{review_id}", {"rating": 4}, format="json")
    user.refresh_from_db()
    totals = community_totals(user_id=user.pk)
    assert user.reviews_written == totals["reviews_written"] == 1
    assert user.helpful_votes_received == totals["helpful_votes_received"] == 1
    assert user.community_score == totals["community_score"] == 7


# --- Votes ---------------------------------------------------------------------------------------


def test_votes(auth_client, user, product):
    author = UserFactory()
    review_id = post_review(APIClientFor(author), product).json()["data"]["id"]
    url = f"/api/v1/reviews/{review_id}/vote"
    first = auth_client.post(url, {"vote_type": "helpful"}, format="json")
    assert first.status_code == 201 and first.json()["data"]["helpful"] == 1
    twice = auth_client.post(url, {"vote_type": "helpful"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "ALREADY_VOTED"
    switched = auth_client.post(url, {"vote_type": "unhelpful"}, format="json").json()["data"]
    assert (switched["helpful"], switched["unhelpful"], switched["total"]) == (0, 1, 1)
    author.refresh_from_db()
    assert author.helpful_votes_received == 0
    stats = auth_client.get(f"/api/v1/reviews/{review_id}/votes").json()["data"]
    assert stats["my_vote"] == "unhelpful"
    assert auth_client.delete(url).json()["data"]["total"] == 0
    assert auth_client.delete(url).status_code == 404
    assert ReviewVote.objects.count() == 0
    assert auth_client.post(url, {"vote_type": "love"}, format="json").status_code == 400


def test_vote_on_own_review_is_refused(auth_client, product):
    review_id = post_review(auth_client, product).json()["data"]["id"]
    response = auth_client.post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "helpful"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "CANNOT_VOTE_OWN_CONTENT"


def test_vote_on_hidden_review_is_404(auth_client, product):
    review_id = post_review(APIClientFor(UserFactory()), product, review_text="cures acne").json()["data"]["id"]
    response = auth_client.post(f"/api/v1/reviews/{review_id}/vote", {"vote_type": "helpful"}, format="json")
    assert response.status_code == 404


def test_report_review(auth_client, product):
    review_id = post_review(APIClientFor(UserFactory()), product).json()["data"]["id"]
    url = f"/api/v1/reviews/{review_id}/report"
    assert auth_client.post(url, {"reason": "fake"}, format="json").status_code == 201
    assert auth_client.post(url, {"reason": "fake"}, format="json").status_code == 409
    assert auth_client.post(url, {"reason": "boring"}, format="json").status_code == 400
    item = ModerationItem.objects.get(content_type="review", content_id=review_id)
    assert item.user_reported and item.status == "needs_review"


# --- Photos --------------------------------------------------------------------------------------


def test_review_photos_are_moderated(auth_client, api_client, user, product, staff_user):
    photo = upload_photo(user)
    payload = {"photos": [{"file_id": str(photo.public_id), "photo_type": "after", "days_of_usage": 21}]}
    data = post_review(auth_client, product, **payload).json()["data"]
    assert data["media"][0]["status"] == "pending" and data["media"][0]["photo_type"] == "after"
    public = api_client.get(reviews_url(product)).json()["data"][0]
    assert public["media"] == [] and public["has_photos"] is False
    assert api_client.get(reviews_url(product), {"with_photos": "true"}).json()["meta"]["total"] == 0
    item = ModerationItem.objects.get(content_type="review_photo")
    assert item.file_id == photo.pk
    moderation_approve(item=item, by=staff_user)
    public = api_client.get(reviews_url(product)).json()["data"][0]
    assert len(public["media"]) == 1 and public["has_photos"] is True
    assert api_client.get(reviews_url(product), {"with_photos": "true"}).json()["meta"]["total"] == 1
    photo.refresh_from_db()
    assert photo.is_temporary is False and photo.related_entity_type == "review"


def test_someone_elses_or_wrong_context_file_is_refused(auth_client, user, product):
    theirs = upload_photo(UserFactory())
    response = post_review(auth_client, product, photos=[{"file_id": str(theirs.public_id)}])
    assert response.status_code == 400 and response.json()["code"] == "FILE_NOT_USABLE"
    progress_photo = upload_photo(user, context="progress")
    response = post_review(auth_client, product, photos=[{"file_id": str(progress_photo.public_id)}])
    assert response.status_code == 400
    assert Review.objects.count() == 0


def test_too_many_photos(auth_client, user, product, settings):
    settings.REVIEWS_MAX_MEDIA_PER_REVIEW = 1
    photos = [upload_photo(user, color=(10 * n, 50, 90)) for n in range(2)]
    response = post_review(auth_client, product, photos=[{"file_id": str(p.public_id)} for p in photos])
    assert response.status_code == 400 and response.json()["code"] == "TOO_MANY_MEDIA"


# --- Listing -------------------------------------------------------------------------------------


def make_reviews(product, rows):
    for rating, skin_type, verified, results in rows:
        author = UserFactory(skin_type=skin_type)
        if verified:
            deliver(author, product)
        post_review(APIClientFor(author), product, rating=rating, visible_results=results, would_recommend=rating > 2)


def test_filters_and_sorting(api_client, product):
    make_reviews(
        product,
        [(5, "acne", True, True), (4, "oily", False, True), (2, "dry", True, False), (1, "acne", False, False)],
    )
    url = reviews_url(product)

    def ratings(**params):
        return [r["rating"] for r in api_client.get(url, params).json()["data"]]

    assert ratings(sort="highest") == [5, 4, 2, 1]
    assert ratings(sort="lowest") == [1, 2, 4, 5]
    assert ratings(rating="4,5", sort="highest") == [5, 4]
    assert ratings(skin_type="acne", sort="highest") == [5, 1]
    assert ratings(skin_type="acne,dry", sort="lowest") == [1, 2, 5]
    assert ratings(verified="true", sort="highest") == [5, 2]
    assert ratings(visible_results="false", sort="highest") == [2, 1]
    newest = ratings(sort="newest")
    assert newest == [1, 2, 4, 5]


def test_most_helpful_is_default(api_client, product):
    make_reviews(product, [(3, "oily", False, False), (4, "oily", False, False)])
    first = Review.objects.get(rating=3)
    for voter in UserFactory.create_batch(2):
        APIClientFor(voter).post(f"/api/v1/reviews/{first.pk}/vote", {"vote_type": "helpful"}, format="json")
    assert [r["rating"] for r in api_client.get(reviews_url(product)).json()["data"]] == [3, 4]


@pytest.mark.parametrize(
    "params",
    [{"rating": "6"}, {"rating": "x"}, {"skin_type": "scaly"}, {"sort": "random"}, {"per_page": 101},
     {"with_photos": "maybe"}],
)  # fmt: skip
def test_bad_list_filters_are_400(api_client, product, params):
    response = api_client.get(reviews_url(product), params)
    assert response.status_code == 400 and response.json()["status"] == "error"


def test_list_of_unknown_product_is_404(api_client):
    assert api_client.get("/api/v1/products/999999/reviews").status_code == 404
    assert api_client.get("/api/v1/products/999999/reviews/summary").status_code == 404


def test_list_query_count_is_constant(auth_client, user, product, django_assert_num_queries):
    for n in range(12):
        author = UserFactory()
        photo = upload_photo(author, color=(n * 10, 80, 120))
        post_review(APIClientFor(author), product, photos=[{"file_id": str(photo.public_id)}])
    from reviews.models import ReviewMedia

    ReviewMedia.objects.update(status="approved")
    auth_client.get(f"/api/v1/products/{product.pk}")  # the catalog caches the product's public payload
    with django_assert_num_queries(4):  # count, page (authors, product), media (files); the viewer's votes
        response = auth_client.get(reviews_url(product), {"per_page": 12})
    assert len(response.json()["data"]) == 12
    assert all(len(r["media"]) == 1 for r in response.json()["data"])
    with django_assert_num_queries(1):  # the page from the cache; the viewer's votes
        assert auth_client.get(reviews_url(product), {"per_page": 12}).content == response.content
    with django_assert_num_queries(4):  # the aggregates, by skin type, histogram, sentiment
        assert auth_client.get(f"{reviews_url(product)}/summary").status_code == 200


def test_summary_histogram_aspects_and_skin_types(api_client, product):
    make_reviews(
        product,
        [(5, "acne", True, True), (4, "acne", False, True), (2, "dry", True, False), (1, "oily", False, False)],
    )
    data = api_client.get(f"{reviews_url(product)}/summary").json()["data"]
    assert data["count"] == 4 and data["avg_rating"] == "3.00"
    assert data["histogram"] == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 1}
    assert data["recommend_rate"] == 0.5 and data["results_rate"] == 0.5
    assert data["aspects"]["effectiveness"] == 5.0 and data["aspects"]["scent"] is None
    acne = data["by_skin_type"]["acne"]
    assert acne["count"] == 2 and acne["avg_rating"] == "4.50" and acne["results_rate"] == 1.0
    assert acne["histogram"] == {"5": 1, "4": 1, "3": 0, "2": 0, "1": 0}
    assert set(data["by_skin_type"]) == {"acne", "dry", "oily"}


def test_my_reviews(auth_client, product):
    post_review(auth_client, product, review_text="It cures acne")
    data = auth_client.get("/api/v1/user/reviews").json()
    assert data["meta"]["total"] == 1 and data["data"][0]["status"] == "flagged"


def test_deleting_product_rating_columns_untouched_for_other_products(auth_client, product):
    other = ProductFactory()
    post_review(auth_client, product)
    assert Product.objects.get(pk=other.pk).review_count == 0


@pytest.mark.parametrize("params", [{"user_id": 2**70}, {"product_id": 2**70}])
@pytest.mark.parametrize("url", ["/api/v1/staff/reviews", "/api/v1/staff/reviews/pending"])
def test_staff_review_filters_reject_out_of_range_ids(staff_client, url, params):
    # Fuzzing: ?user_id=827506332785630773248 reached the query (500 OverflowError on SQLite).
    response = staff_client.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and set(body["errors"]) == set(params)


def test_a_khmer_request_names_the_reviewed_product_in_khmer(api_client):
    product = ProductFactory(name="Glow serum", name_km="សេរ៉ូមភ្លឺថ្លា")
    author = UserFactory()
    deliver(author, product)
    assert post_review(APIClientFor(author), product).status_code == 201

    khmer = api_client.get(reviews_url(product), HTTP_ACCEPT_LANGUAGE="km").json()["data"]
    english = api_client.get(reviews_url(product)).json()["data"]

    assert [review["product"]["name"] for review in khmer] == ["សេរ៉ូមភ្លឺថ្លា"]
    assert [review["product"]["name"] for review in english] == ["Glow serum"]


def test_summary_is_cached_until_moderation_changes_it(
    staff_client, auth_client, api_client, product, django_assert_num_queries
):
    from django.core.cache import cache

    from shop.catalog import services as catalog_services

    cache.clear()
    summary_url = f"{reviews_url(product)}/summary"
    assert api_client.get(summary_url).json()["data"]["count"] == 0  # also caches the product's public payload
    with django_assert_num_queries(0):  # one cache read: the summary and the product's payload
        assert api_client.get(summary_url).json()["data"]["count"] == 0
    review_id = post_review(auth_client, product, review_text="It cures acne").json()["data"]["id"]  # held
    assert api_client.get(summary_url).json()["data"]["count"] == 0
    staff_client.post(f"/api/v1/staff/reviews/{review_id}/approve", {}, format="json")
    data = api_client.get(summary_url).json()["data"]
    assert data["count"] == 1 and data["histogram"]["5"] + data["histogram"]["4"] == 1
    staff_client.post(f"/api/v1/staff/reviews/{review_id}/reject", {"notes": "no"}, format="json")
    assert api_client.get(summary_url).json()["data"]["count"] == 0
    catalog_services.products_bulk_update(product_ids=[product.pk], status="draft")
    assert api_client.get(summary_url).status_code == 404  # the cached summary of an unpublished product
