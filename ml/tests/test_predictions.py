"""Satisfaction and repurchase models on hand-made data with known answers, and their endpoints."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ml import prediction_services
from ml.models import ModelKind, TrainedModel
from ml.predictions import RatingStats, RepurchaseModel, SatisfactionModel, repurchase_examples, rmse, roc_auc
from reviews.models import ContentStatus, Review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.models import Ingredient, ProductIngredient, ProductStatus
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import Order, OrderItem, OrderStatus

DAY = 86400.0
RETINOL = {"skin_types": ["all"], "concerns": ["acne"], "category": 1, "price": 20.0, "ingredients": ["Retinol"]}
GLYCERIN = {"skin_types": ["all"], "concerns": ["dryness"], "category": 1, "price": 20.0, "ingredients": ["Glycerin"]}


def _sensitive_skin_hates_retinol():
    """40 shoppers: sensitive skin rates the retinol product 1, oily skin 5; everyone rates glycerin 4."""
    users, reviews = {}, []
    for i in range(40):
        skin = "sensitive" if i % 2 else "oily"
        users[i] = {"skin_type": skin, "concerns": []}
        reviews.append((i, 1, 1 if skin == "sensitive" else 5, 2 * i))
        reviews.append((i, 2, 4, 2 * i + 1))
    users[100] = {"skin_type": "sensitive", "concerns": []}
    users[101] = {"skin_type": "oily", "concerns": []}
    return reviews, users, {1: RETINOL, 2: GLYCERIN}


def test_satisfaction_learns_who_a_product_suits():
    reviews, users, products = _sensitive_skin_hates_retinol()
    model = SatisfactionModel().fit(reviews, users, products)
    sensitive, oily, glycerin = model.predict([(100, 1), (101, 1), (100, 2)])
    assert sensitive < 1.5 and oily > 4.5 and 3.5 < glycerin < 4.5
    # The baseline knows only the product: (20 * 1 + 20 * 5 + 5 * 4) / 45 pulled toward the category mean 3.5.
    assert model.baseline([(100, 1)]) == [pytest.approx((120 + 5 * 3.5) / 45)]
    assert rmse(model.predict([(100, 1), (101, 1)]), [1, 5]) < rmse(model.baseline([(100, 1), (101, 1)]), [1, 5])


def test_a_training_row_never_sees_its_own_rating():
    users = {1: {"skin_type": "dry"}, 2: {"skin_type": "dry"}}
    products = {9: {"category": 1}}
    stats = RatingStats([(1, 9, 5, 0), (2, 9, 1, 1)], users, products)
    left_out = stats.features(1, 9, leave_out=5)
    # Only user 2's 1 star remains: the product mean is 1 star smoothed toward the category's (also 1).
    assert left_out[0] == pytest.approx(1.0)
    assert left_out[1] == 0.6931471805599453  # log1p(1 review)
    assert left_out[2] == 0.0  # user 1 has no other review: no bias
    assert stats.features(1, 9)[0] == pytest.approx(3.0)


def test_satisfaction_needs_enough_reviews():
    with pytest.raises(ValueError, match="At least 20 reviews"):
        SatisfactionModel().fit([(1, 1, 5, 0)] * 19, {}, {})


def test_repurchase_examples_are_labelled_by_the_next_horizon():
    purchases = [(1, 7, 0.0), (1, 7, 5 * DAY), (1, 7, 12 * DAY), (2, 7, 1 * DAY), (3, 8, 2 * DAY), (3, 8, 40 * DAY)]
    pairs, features, labels, baseline = repurchase_examples(
        purchases, [(1, 7, 5, 1 * DAY), (2, 7, 2, 20 * DAY)], {}, {}, cutoff=10 * DAY, horizon_days=7
    )
    assert pairs == [(1, 7), (2, 7), (3, 8)]
    assert labels == [1, 0, 0]  # user 1 came back on day 12; user 3 only on day 40, past the horizon
    assert [f[0] for f in features] == [2.0, 1.0, 1.0]  # times bought by the cut-off
    assert [f[1] for f in features] == [5.0, 9.0, 8.0]  # days since the last purchase
    assert [f[4] for f in features] == [5.0, 0.0, 0.0]  # user 2's rating came after the cut-off
    # Product 7: 1 of its 2 buyers came back by the cut-off, smoothed toward the overall 1/3 with 10 pseudo-buyers.
    assert baseline[0] == pytest.approx((1 + 10 / 3) / 12)


def test_repurchase_features_time_the_run_out_and_the_rebuy_habit():
    # Product 7 lasts 30 days a unit; user 1 bought it on days 0 and 25, product 8 (no size) once.
    purchases = [(1, 7, 0.0), (1, 7, 25 * DAY), (1, 8, 3 * DAY), (2, 7, 1 * DAY), (2, 9, 2 * DAY), (2, 9, 9 * DAY)]
    products = {7: {"lasts_days": 30.0}, 8: {}, 9: {"lasts_days": 10.0}}
    pairs, features, _, _ = repurchase_examples(purchases, [], {}, products, cutoff=40 * DAY, horizon_days=30)
    by_pair = dict(zip(pairs, features, strict=True))
    names = RepurchaseModel.FEATURES
    due, used, habit = (names.index(n) for n in ("days_to_run_out", "share_of_run_out_used", "user_repurchase_rate"))
    assert len(features[0]) == len(names)
    assert by_pair[(1, 7)][due] == pytest.approx(15.0)  # 30 - (40 - 25) days: half a unit left
    assert by_pair[(1, 7)][used] == pytest.approx(0.5)
    assert by_pair[(2, 7)][due] == pytest.approx(-9.0) and by_pair[(2, 7)][used] == pytest.approx(39 / 30)
    assert by_pair[(1, 8)][due] == 365.0 and by_pair[(1, 8)][used] == 0.0  # size unknown
    # Habit: the share of the user's *other* products bought again, smoothed toward the overall
    # share (2 of 4 pairs) with 3 pseudo-products. User 1 for product 8: product 7 came back (1 of 1).
    assert by_pair[(1, 8)][habit] == pytest.approx((1 + 3 * 0.5) / (1 + 3))
    assert by_pair[(1, 7)][habit] == pytest.approx((0 + 3 * 0.5) / (1 + 3))  # its own repeat left out


def test_repurchase_model_learns_to_expect_a_reorder_when_the_product_runs_out():
    """Everyone bought once on day 0; product n lasts 31 + n days and its buyer comes back the day
    it runs out. At a cut-off on day 30 with a 30-day horizon, those running out by day 60 come
    back. Every other feature is the same: the run-out features carry it, times bought cannot."""
    purchases, products = [], {}
    for n in range(80):
        products[n] = {"lasts_days": 31.0 + n}
        purchases.append((n, n, 0.0))
        purchases.append((n, n, (31.0 + n) * DAY))
    pairs, features, labels, _ = repurchase_examples(purchases, [], {}, products, cutoff=30 * DAY, horizon_days=30)
    assert labels == [int(n <= 29) for n in range(80)]
    model = RepurchaseModel().fit(features, labels)
    assert roc_auc(model.predict(features), labels) > 0.95
    assert roc_auc([f[0] for f in features], labels) == 0.5


def test_repurchase_model_ranks_the_returning_kind_first():
    # Buyers of product 1 who bought it twice come back; one-time buyers never do.
    features, labels = [], []
    for i in range(60):
        times = 2 if i % 3 == 0 else 1
        features.append([float(times), 10.0, 20.0, 0.3, 0.0, 0.0, 1.0, 1.0, 0.0, 10.0])
        labels.append(int(times == 2))
    model = RepurchaseModel().fit(features, labels)
    assert roc_auc(model.predict(features), labels) == 1.0
    twice, once = model.predict([features[0], features[1]])
    assert twice > 0.9 and once < 0.1


def test_auc_and_rmse_by_hand():
    assert roc_auc([0.9, 0.8, 0.1, 0.3], [1, 1, 0, 0]) == 1.0
    assert roc_auc([0.5, 0.5, 0.5, 0.1], [1, 0, 1, 0]) == (0.5 + 1 + 0.5 + 1) / 4
    assert rmse([1, 3], [2, 5]) == pytest.approx((2.5) ** 0.5)
    with pytest.raises(ValueError):
        roc_auc([0.1, 0.2], [1, 1])


# --- The shop ----------------------------------------------------------------------------------

SATISFACTION = "/api/v1/ml/feedback/predict-satisfaction"
REPURCHASE = "/api/v1/ml/predictions/repurchase-likelihood"


def _paid_order(user, product, days_ago):
    order = Order.objects.create(
        order_number=f"P-{Order.objects.count() + 1:06d}",
        user=user,
        customer_email=user.email,
        currency="USD",
        subtotal=Decimal("10.00"),
        total=Decimal("10.00"),
        status=OrderStatus.DELIVERED,
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    OrderItem.objects.create(
        order=order, product=product, product_name=product.name, quantity=1, unit_price=product.price,
        total_price=product.price,
    )  # fmt: skip


@pytest.fixture
def shop(db):
    """The retinol story in the database: sensitive skin rates it 1, oily skin 5."""
    retinol = Ingredient.objects.create(name="Retinol", slug="retinol")
    glycerin = Ingredient.objects.create(name="Glycerin", slug="glycerin")
    serum = ProductFactory(skin_types=["all"], status=ProductStatus.ACTIVE)
    cream = ProductFactory(skin_types=["all"], status=ProductStatus.ACTIVE, category=serum.category)
    ProductIngredient.objects.create(product=serum, ingredient=retinol)
    ProductIngredient.objects.create(product=cream, ingredient=glycerin)
    for i in range(40):  # 20 of each skin type: a tree leaf holds at least 20 rows
        user = UserFactory(skin_type="sensitive" if i % 2 else "oily")
        Review.objects.create(
            product=serum, user=user, rating=1 if i % 2 else 5, status=ContentStatus.APPROVED, title="x"
        )
        Review.objects.create(product=cream, user=user, rating=4, status=ContentStatus.APPROVED, title="x")
        _paid_order(user, serum, days_ago=50)
        if i % 3 == 0:
            _paid_order(user, serum, days_ago=45)
            _paid_order(user, serum, days_ago=10)  # the twice-buyers came back within 30 days
    return serum, cream


def test_before_training_satisfaction_is_the_product_mean(shop, auth_client):
    serum, _ = shop
    response = auth_client.post(SATISFACTION, {"product_id": serum.pk}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    # 20 ones and 20 fives, category mean 3.5 over all 80 reviews: (120 + 5 * 3.5) / 45.
    stars = round((120 + 5 * 3.5) / 45, 2)
    assert data == {
        "product_id": serum.pk,
        "predicted_rating": stars,
        "predicted_satisfaction": round((stars - 1) / 4, 4),
        "algorithm": "product_mean",
        "model_version": None,
    }


def test_after_nightly_training_the_model_answers_per_skin_type(shop, api_client):
    from ml.tasks import predictions_train

    serum, _ = shop
    saved = predictions_train.delay().get()
    assert set(saved) == {"satisfaction", "repurchase"}
    assert TrainedModel.objects.filter(kind=ModelKind.SATISFACTION).count() == 1

    answers = {}
    for skin in ("sensitive", "oily"):
        api_client.force_authenticate(UserFactory(skin_type=skin))
        answers[skin] = api_client.post(SATISFACTION, {"product_id": serum.pk}, format="json").json()["data"]
    assert answers["sensitive"]["predicted_rating"] < 2.5 < 3.5 < answers["oily"]["predicted_rating"]
    assert answers["oily"]["algorithm"] == "gradient_boosting"
    assert answers["oily"]["model_version"] == saved["satisfaction"]


def test_repurchase_likelihood_before_and_after_training(shop, auth_client, user):
    serum, _ = shop
    _paid_order(user, serum, days_ago=3)
    before = auth_client.post(REPURCHASE, {"product_id": serum.pk}, format="json").json()["data"]
    assert before == {
        "product_id": serum.pk,
        "times_bought": 1,
        "horizon_days": 30,
        "likelihood": None,
        "algorithm": None,
        "model_version": None,
    }
    saved = prediction_services.predictions_train()
    after = auth_client.post(REPURCHASE, {"product_id": serum.pk}, format="json").json()["data"]
    assert 0.0 <= after["likelihood"] <= 1.0
    assert (after["algorithm"], after["model_version"]) == ("gradient_boosting", saved["repurchase"])


@pytest.mark.parametrize("url", [SATISFACTION, REPURCHASE])
def test_predictions_need_sign_in(url, api_client, shop):
    response = api_client.post(url, {"product_id": shop[0].pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (401, "NOT_AUTHENTICATED")


@pytest.mark.parametrize("url", [SATISFACTION, REPURCHASE])
@pytest.mark.parametrize("body", [{}, {"product_id": 0}, {"product_id": "abc"}, {"product_id": None}])
def test_predictions_bad_input(url, body, auth_client):
    response = auth_client.post(url, body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert "product_id" in response.json()["errors"]


@pytest.mark.parametrize("url", [SATISFACTION, REPURCHASE])
def test_predictions_unknown_or_draft_product(url, auth_client):
    draft = ProductFactory(status=ProductStatus.DRAFT)
    for product_id in (draft.pk, 10**9):
        response = auth_client.post(url, {"product_id": product_id}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "ML_PRODUCT_NOT_FOUND")
