"""Serving recommendations: the endpoints on a small shop after the nightly precompute (ranking
properties, cold start, removals, bad input, permissions, query counts) and the per-user refresh."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from ml import rec_services, services, serving, tasks
from ml.models import AnalyticsDocument, AvoidedIngredient, HiddenRecommendation
from ml.recommendations import recommendations_precompute
from ml.store import StoreError
from ml.tests.test_etl import order, review
from ml.tests.test_recommendations import shop  # noqa: F401 - fixture
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import IngredientFactory, ProductFactory
from shop.orders.models import Order
from skincare import events

FOR_ME = "/api/v1/recommendations/for-me"


@pytest.fixture(autouse=True)
def _relational(relational_store):
    cache.clear()
    return relational_store


@pytest.fixture
def served(shop):  # noqa: F811
    recommendations_precompute(progress=lambda done, total: None)
    return shop


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response):
    return [item["product"]["id"] for item in response.json()["data"]]


def test_for_me_serves_the_stored_list_with_scores_algorithms_and_reasons(served):
    response = client_for(served["u1"]).get(FOR_ME)
    assert response.status_code == 200
    body = response.json()
    assert [i["product"]["id"] for i in body["data"]] == [served["c"].pk, served["e"].pk]
    first = body["data"][0]
    assert (first["score"], first["algorithm"], first["reason"]) == (
        1.0,
        "collaborative_filtering",
        "Because you bought Alpha Serum",
    )
    assert first["product"]["name"] == "Cica Cream" and first["product"]["price"] == "10.00"
    assert all(0 <= item["score"] <= 1 and item["reason"] for item in body["data"])
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 2, "total_pages": 1}


def test_reasons_follow_the_request_language(served):
    response = client_for(served["u1"]).get(FOR_ME, HTTP_ACCEPT_LANGUAGE="km")
    assert response.json()["data"][0]["reason"] == "ព្រោះអ្នកបានទិញ Alpha Serum"


def test_a_skin_word_in_a_khmer_reason_says_skin_once():
    from django.utils import translation

    entry = {"reason_code": "popular_skin", "reason_params": {"skin": "oily"}}
    with translation.override("km"):  # the sentence says "skin" (ស្បែក); the skin type's word must not again
        assert serving.reason_text(entry) == "ពេញនិយមក្នុងចំណោមអ្នកមានស្បែកខ្លាញ់"


def test_for_me_leaves_out_what_was_bought_since_hidden_and_avoided_products(served):
    client = client_for(served["u1"])
    order(served["u1"], "2026-04-01T10:00", [(served["e"], 1, "10.00")], status="pending")
    assert ids(client.get(FOR_ME)) == [served["c"].pk]
    Order.objects.filter(user=served["u1"], status="pending").delete()

    niacinamide = IngredientFactory(name="Niacinamide")
    served["c"].product_ingredients.create(ingredient=niacinamide, sort_order=0)
    AvoidedIngredient.objects.create(user=served["u1"], ingredient=niacinamide)
    assert ids(client.get(FOR_ME)) == [served["e"].pk]

    AvoidedIngredient.objects.all().delete()
    HiddenRecommendation.objects.create(user=served["u1"], product=served["e"])
    assert ids(client.get(FOR_ME)) == [served["c"].pk]


def test_skin_type_filter_holds_in_the_stored_list(served):
    # u3 (dry) bought d; a, b and c list oily skin only
    assert ids(client_for(served["u3"]).get(FOR_ME)) == [served["e"].pk]


def test_cold_start_user_gets_the_skin_type_list_and_it_is_deterministic(served):
    newcomer = UserFactory(skin_type="oily", skin_concerns=["acne"])
    first = client_for(newcomer).get(FOR_ME).json()["data"]
    # share of oily buyers, smoothed: a 3 of 3, b and c 1 of 3 (tie: the smaller id); e bought by nobody
    assert [i["product"]["id"] for i in first] == [served["a"].pk, served["b"].pk, served["c"].pk]
    assert [i["score"] for i in first] == [1.0, 0.6667, 0.6667]  # half skin score, half concern match
    assert {i["algorithm"] for i in first} == {"skin_analysis"}
    assert first[1]["reason"] == "For acne, suits oily skin"
    assert client_for(newcomer).get(FOR_ME).json()["data"] == first


def test_cold_start_before_any_run_is_an_empty_list(shop):  # noqa: F811
    response = client_for(UserFactory()).get(FOR_ME)
    assert response.status_code == 200 and response.json()["data"] == []


def test_skin_based_profile_from_the_body(served):
    client = client_for()
    response = client.post(
        "/api/v1/recommendations/skin-based", {"skin_type": "oily", "concerns": ["dryness"]}, format="json"
    )
    assert response.status_code == 200
    assert ids(response) == [served["a"].pk, served["b"].pk, served["c"].pk]
    assert [i["score"] for i in response.json()["data"]] == [0.5, 0.1667, 0.1667]
    bad = client.post("/api/v1/recommendations/skin-based", {"skin_type": "scaly"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_ERROR"
    assert "skin_type" in bad.json()["errors"]
    bad = client.post("/api/v1/recommendations/skin-based", {"skin_type": "oily", "concerns": "acne"}, format="json")
    assert bad.status_code == 400


def test_similar_products_for_a_product_and_for_a_new_one(served):
    client = client_for()
    response = client.get(f"/api/v1/recommendations/similar/{served['a'].pk}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data[0]["product"]["id"] == served["b"].pk  # same category, skin types and concerns
    assert data[0]["reason"] == "Similar to Alpha Serum" and data[0]["algorithm"] == "content_based"
    assert served["a"].pk not in ids(response)
    newer = ProductFactory(name="Alpha Twin Serum", category=served["a"].category, brand=served["a"].brand,
                           skin_types=["oily"], concerns=["acne"])  # fmt: skip
    assert not AnalyticsDocument.objects.filter(collection="product_similarities", key=str(newer.pk)).exists()
    fresh = ids(client.get(f"/api/v1/recommendations/similar/{newer.pk}"))
    assert fresh[:2] == [served["a"].pk, served["b"].pk]
    missing = client.get("/api/v1/recommendations/similar/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "PRODUCT_NOT_FOUND"


def test_similar_for_a_new_product_reads_no_orders_and_is_computed_once(
    served, monkeypatch, django_assert_max_num_queries
):
    """The on-the-spot list fits the content model on product features only (the load test found it loading
    every order and review per request) and keeps the result, so a second request fits nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ml.recommender import ContentRecommender

    newer = ProductFactory(name="Alpha Twin Serum", category=served["a"].category, brand=served["a"].brand,
                           skin_types=["oily"], concerns=["acne"])  # fmt: skip
    fits = []
    fit = ContentRecommender.fit
    monkeypatch.setattr(ContentRecommender, "fit", lambda self, *a, **k: fits.append(1) or fit(self, *a, **k))
    client = client_for()
    with CaptureQueriesContext(connection) as first:
        assert ids(client.get(f"/api/v1/recommendations/similar/{newer.pk}"))[:2] == [served["a"].pk, served["b"].pk]
    assert not [q for q in first.captured_queries if "orders_orderitem" in q["sql"] or "reviews_review" in q["sql"]]
    assert fits == [1]
    assert ids(client.get(f"/api/v1/recommendations/similar/{newer.pk}"))[:2] == [served["a"].pk, served["b"].pk]
    assert fits == [1]


def test_popular_and_trending(served):
    client = client_for()
    assert ids(client.get("/api/v1/recommendations/popular")) == [
        served["a"].pk, served["b"].pk, served["c"].pk, served["d"].pk,
    ]  # fmt: skip
    assert ids(client.get("/api/v1/recommendations/popular?skin_type=dry")) == [served["d"].pk]
    bad = client.get("/api/v1/recommendations/popular?skin_type=scaly")
    assert bad.status_code == 400
    trending = client.get("/api/v1/recommendations/trending/oily")
    assert ids(trending) == [served["a"].pk, served["c"].pk, served["b"].pk]  # c bought later than b
    assert trending.json()["data"][0]["reason"] == "Trending with people with oily skin"
    unknown = client.get("/api/v1/recommendations/trending/scaly")
    assert unknown.status_code == 404 and unknown.json()["code"] == "INVALID_SKIN_TYPE"
    paged = client.get("/api/v1/recommendations/popular?per_page=2&page=2")
    assert ids(paged) == [served["c"].pk, served["d"].pk] and paged.json()["meta"]["total"] == 4
    assert client.get("/api/v1/recommendations/popular?per_page=0").status_code == 400


def test_bought_together(served):
    response = client_for().get(f"/api/v1/recommendations/bought-together/{served['a'].pk}")
    assert ids(response) == [served["b"].pk, served["c"].pk]
    assert response.json()["data"][0]["reason"] == "Bought together with Alpha Serum by 1 shoppers"
    assert client_for().get("/api/v1/recommendations/bought-together/999999").status_code == 404


def test_feedback_based_from_shoppers_who_rate_alike(served):
    me, alike, unlike = served["u1"], served["u2"], served["u3"]
    review(served["a"], me, "2026-03-10T10:00", 5, results=True, recommend=True)
    review(served["a"], alike, "2026-03-10T10:00", 4, results=True, recommend=True)
    review(served["d"], alike, "2026-03-11T10:00", 5, results=True, recommend=True)
    review(served["a"], unlike, "2026-03-10T10:00", 1, results=False, recommend=False)
    review(served["e"], unlike, "2026-03-11T10:00", 5, results=True, recommend=True)
    response = client_for(me).get("/api/v1/recommendations/feedback-based")
    assert ids(response) == [served["d"].pk]
    item = response.json()["data"][0]
    assert (item["score"], item["algorithm"]) == (1.0, "feedback_similarity")
    assert item["reason"] == "Liked by 1 shoppers who rate products the way you do"
    assert client_for(UserFactory()).get("/api/v1/recommendations/feedback-based").json()["data"] == []


@pytest.mark.parametrize("path", [FOR_ME, "/api/v1/recommendations/feedback-based"])
def test_personal_lists_need_a_sign_in(served, path):
    response = client_for().get(path)
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"


def test_feedback_click_and_ignore_are_recorded_and_ignore_hides(served):
    client = client_for(served["u1"])
    click = client.post(
        "/api/v1/recommendations/feedback",
        {"product_id": served["c"].pk, "interaction_type": "click", "recommendation_type": "for_you",
         "page_type": "homepage", "position": 1},
        format="json",
    )  # fmt: skip
    assert click.status_code == 201
    assert click.json()["data"] == {"interaction_type": "click", "product_id": served["c"].pk, "hidden": False}
    ignore = client.post(
        "/api/v1/recommendations/feedback", {"product_id": served["c"].pk, "interaction_type": "ignore"}, format="json"
    )
    assert ignore.json()["data"]["hidden"] is True
    assert ids(client.get(FOR_ME)) == [served["e"].pk]
    services.events_flush()
    docs = sorted(
        (d.doc["action"], d.doc["product_id"], d.doc["user_id"], d.doc["page_type"], d.doc["position"])
        for d in AnalyticsDocument.objects.filter(collection="recommendation_feedback")
    )
    assert docs == [
        ("clicked", served["c"].pk, served["u1"].pk, "homepage", 1),
        ("ignored", served["c"].pk, served["u1"].pk, "app", None),
    ]
    anonymous = client_for().post(
        "/api/v1/recommendations/feedback", {"product_id": served["c"].pk, "interaction_type": "ignore"}, format="json"
    )
    assert anonymous.status_code == 201 and anonymous.json()["data"]["hidden"] is False
    assert HiddenRecommendation.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"product_id": 999999, "interaction_type": "click"}, "product_id"),
        ({"product_id": 1, "interaction_type": "purchase"}, "interaction_type"),
        ({"interaction_type": "click"}, "product_id"),
        ({"product_id": 1, "interaction_type": "click", "position": 0}, "position"),
    ],
)
def test_feedback_bad_input_is_a_400_and_records_nothing(served, body, field):
    if body.get("product_id") == 1:
        body["product_id"] = served["a"].pk
    response = client_for(served["u1"]).post("/api/v1/recommendations/feedback", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    services.events_flush()
    assert not AnalyticsDocument.objects.filter(collection="recommendation_feedback").exists()
    assert not HiddenRecommendation.objects.exists()


def test_for_me_runs_a_constant_number_of_queries(served, django_assert_num_queries):
    client = client_for(served["u1"])
    with django_assert_num_queries(3):  # stored list, products, their primary images
        assert len(client.get(FOR_ME).json()["data"]) == 2
    for n in range(6):
        extra = ProductFactory(name=f"Extra {n}", skin_types=["oily"])
        order(served["u2"], "2026-03-06T10:00", [(extra, 1, "10.00"), (served["e"], 1, "10.00")], status="delivered")
    recommendations_precompute(progress=lambda done, total: None)
    with django_assert_num_queries(3):
        assert len(client.get(FOR_ME).json()["data"]) == 8  # c, e and the six new ones


def test_a_purchase_rebuilds_the_buyers_list(served, django_capture_on_commit_callbacks, monkeypatch):
    extra = ProductFactory(name="Zeta Serum", category=served["a"].category, skin_types=["oily"])
    placed = order(served["u4"], "2026-03-07T10:00", [(extra, 1, "10.00")], status="pending")
    Order.objects.filter(pk=placed.pk).update(status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        events.order_status_changed.send(
            sender=Order, order=placed, old_status="pending", new_status="confirmed", by=None
        )
    document = AnalyticsDocument.objects.get(collection="product_recommendations", key=str(served["u4"].pk)).doc
    assert document["model_version"] == "hybrid-1-refresh"
    assert extra.pk not in [e["product_id"] for e in document["recommended_products"]]
    queued = []
    monkeypatch.setattr(tasks.recommendations_refresh, "delay", lambda *, user_ids: queued.append(user_ids))
    with django_capture_on_commit_callbacks(execute=True):
        events.order_status_changed.send(
            sender=Order, order=placed, old_status="confirmed", new_status="shipped", by=None
        )
        events.order_status_changed.send(
            sender=Order, order=placed, old_status="confirmed", new_status="cancelled", by=None
        )
    assert queued == []  # already a purchase, or not one: not rebuilt
    with django_capture_on_commit_callbacks(execute=True):
        events.order_status_changed.send(
            sender=Order, order=placed, old_status="pending", new_status="processing", by=None
        )
    assert queued == []  # within the first refresh's window (settings.ML_REFRESH_WINDOW_SECONDS)
    cache.delete(rec_services.refresh_claim_key(served["u4"].pk))  # the window is over
    with django_capture_on_commit_callbacks(execute=True):
        events.order_status_changed.send(
            sender=Order, order=placed, old_status="pending", new_status="processing", by=None
        )
    assert queued == [[served["u4"].pk]]


def test_avoided_ingredients_are_set_listed_and_filter_the_lists(served):
    client = client_for(served["u1"])
    niacinamide, zinc = IngredientFactory(name="Niacinamide"), IngredientFactory(name="Zinc")
    served["c"].product_ingredients.create(ingredient=niacinamide, sort_order=0)
    response = client.put(
        "/api/v1/recommendations/avoided-ingredients", {"ingredient_ids": [zinc.pk, niacinamide.pk]}, format="json"
    )
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["data"]] == ["Niacinamide", "Zinc"]
    listed = client.get("/api/v1/recommendations/avoided-ingredients").json()
    assert [row["slug"] for row in listed["data"]] == ["niacinamide", "zinc"] and listed["meta"]["total"] == 2
    assert ids(client.get(FOR_ME)) == [served["e"].pk]
    bad = client.put("/api/v1/recommendations/avoided-ingredients", {"ingredient_ids": [999999]}, format="json")
    assert bad.status_code == 400 and "ingredient_ids" in bad.json()["errors"]
    assert AvoidedIngredient.objects.filter(user=served["u1"]).count() == 2  # unchanged
    client.put("/api/v1/recommendations/avoided-ingredients", {"ingredient_ids": []}, format="json")
    assert ids(client.get(FOR_ME)) == [served["c"].pk, served["e"].pk]
    assert client_for().get("/api/v1/recommendations/avoided-ingredients").status_code == 401
    other = client_for(served["u2"]).get("/api/v1/recommendations/avoided-ingredients").json()
    assert other["data"] == []


def test_products_due_for_a_restock_lead_the_list(shop):  # noqa: F811
    now = datetime.now(UTC)

    def ago(days):
        return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")

    # serums bought again by the same shopper after 20 days, 20 days and months: the median gap is 20 days
    order(shop["u2"], "2026-03-22T10:00", [(shop["a"], 1, "10.00")], status="delivered")
    order(shop["u4"], ago(30), [(shop["a"], 1, "10.00")], status="delivered")
    order(shop["u4"], ago(10), [(shop["a"], 1, "10.00")], status="delivered")
    recommendations_precompute(progress=lambda done, total: None, now=now)
    data = client_for(shop["u1"]).get(FOR_ME).json()["data"]
    assert [i["product"]["id"] for i in data] == [shop["a"].pk, shop["b"].pk, shop["c"].pk, shop["e"].pk]
    assert [(i["score"], i["algorithm"]) for i in data[:2]] == [(1.0, "repurchase"), (1.0, "repurchase")]
    days = (now - datetime(2026, 3, 1, 10, 0, tzinfo=UTC)).days
    assert data[0]["reason"] == f"Running low? You bought Alpha Serum {days} days ago"
    # u4 bought a 10 days ago: not due yet, so still left out
    assert shop["a"].pk not in ids(client_for(shop["u4"]).get(FOR_ME))


def test_an_unreachable_store_degrades_to_cold_start_not_an_error(served, monkeypatch):
    class Down:
        def get(self, collection, key):
            raise StoreError("connection refused")

    monkeypatch.setattr(serving, "get_store", lambda: Down())
    response = client_for(served["u1"]).get(FOR_ME)
    # every list is read from the store: with it down the shopper gets none, and the answer is still a list
    assert response.status_code == 200
    assert response.json()["data"] == [] and response.json()["meta"]["total"] == 0
