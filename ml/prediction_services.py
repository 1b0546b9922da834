"""Satisfaction and repurchase predictions in the shop: training records from the database (the rows
the ETL extracts read: approved reviews, order lines of paid orders, accounts' skin profiles,
products), nightly training into ``TrainedModel``, and single predictions for the API."""

import logging
from collections import defaultdict
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext

from ml.error_codes import AnalyticsErrorCode
from ml.etl.common import PURCHASED
from ml.models import ModelKind, TrainedModel
from ml.predictions import RatingStats, RepurchaseModel, SatisfactionModel, repurchase_examples
from ml.predictions.models import PurchaseHistory
from reviews.models import ContentStatus, Review
from shop.catalog.models import Product, ProductIngredient, ProductStatus
from shop.orders.models import OrderItem
from shop.orders.replenishment import daily_use
from skincare.errors import ApplicationError

logger = logging.getLogger(__name__)

HORIZON_DAYS = 30
MODELS_KEPT = 3
_loaded = {}


def _seconds(moment):
    return moment.timestamp()


def training_records(*, user_ids=None, product_ids=None):
    """(reviews, purchases, users, products) as ``ml.predictions`` takes them."""
    review_rows = Review.objects.filter(status=ContentStatus.APPROVED, user__isnull=False)
    purchase_rows = OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False)
    if user_ids is not None:
        review_rows = review_rows.filter(user_id__in=user_ids)
        purchase_rows = purchase_rows.filter(order__user_id__in=user_ids)
    if product_ids is not None:
        review_rows = review_rows.filter(product_id__in=product_ids)
        purchase_rows = purchase_rows.filter(product_id__in=product_ids)
    reviews = [
        (u, p, r, _seconds(at))
        for u, p, r, at in review_rows.values_list("user_id", "product_id", "rating", "created_at")
    ]
    purchases = [
        (u, p, _seconds(at))
        for u, p, at in purchase_rows.values_list("order__user_id", "product_id", "order__created_at")
    ]
    wanted_users = {r[0] for r in reviews} | {p[0] for p in purchases} | set(user_ids or ())
    users = {
        pk: {"skin_type": skin, "concerns": concerns or []}
        for pk, skin, concerns in get_user_model()
        .objects.filter(pk__in=wanted_users)
        .values_list("pk", "skin_type", "skin_concerns")
    }
    product_rows = Product.objects.all() if product_ids is None else Product.objects.filter(pk__in=product_ids)
    ingredients = defaultdict(list)
    for pk, name in ProductIngredient.objects.filter(product__in=product_rows).values_list(
        "product_id", "ingredient__name"
    ):
        ingredients[pk].append(name)
    products = {
        pk: {
            "skin_types": skin_types or [],
            "concerns": concerns or [],
            "category": category,
            "price": float(price),
            "ingredients": sorted(ingredients.get(pk, [])),
            "lasts_days": _lasts_days(size, product_type),
        }
        for pk, skin_types, concerns, category, price, size, product_type in product_rows.values_list(
            "pk", "skin_types", "concerns", "category_id", "price", "size_amount", "product_type"
        )
    }
    return reviews, purchases, users, products


def _save(kind, model, *, samples, parameters, now):
    import pickle

    saved = TrainedModel.objects.create(
        kind=kind,
        version=f"{kind}-gbt-{now:%Y%m%d%H%M%S}",
        trained_at=now,
        samples=samples,
        parameters=parameters,
        payload=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
    )
    stale = TrainedModel.objects.filter(kind=kind).values_list("pk", flat=True)[MODELS_KEPT:]
    TrainedModel.objects.filter(pk__in=list(stale)).delete()
    return saved


def predictions_train(*, now=None) -> dict:
    """Fit both models on everything known now; a model with too little data is skipped (logged)."""
    now = now or datetime.now(UTC)
    reviews, purchases, users, products = training_records()
    saved = {}
    try:
        model = SatisfactionModel().fit(reviews, users, products)
        saved["satisfaction"] = _save(
            ModelKind.SATISFACTION, model, samples=model.samples, parameters=model.params, now=now
        ).version
    except ValueError as exc:
        logger.info("Satisfaction model not trained: %s", exc)
    # Repurchase: examples cut HORIZON_DAYS before now, labelled by what happened since.
    cutoff = now.timestamp() - HORIZON_DAYS * 86400
    _, features, labels, _ = repurchase_examples(
        purchases, reviews, users, products, cutoff=cutoff, horizon_days=HORIZON_DAYS
    )
    try:
        model = RepurchaseModel(horizon_days=HORIZON_DAYS).fit(features, labels)
        saved["repurchase"] = _save(
            ModelKind.REPURCHASE,
            model,
            samples=model.samples,
            parameters={**model.params, "horizon_days": HORIZON_DAYS, "positives": model.positives},
            now=now,
        ).version
    except ValueError as exc:
        logger.info("Repurchase model not trained: %s", exc)
    return saved


def current_model(kind):
    """The newest model of ``kind`` (loaded once per process and version) and its version, or (None, None)."""
    import pickle

    latest = TrainedModel.objects.filter(kind=kind).values_list("pk", "version").first()
    if latest is None:
        return None, None
    pk, version = latest
    cached = _loaded.get(kind)
    if cached is None or cached[0] != pk:
        payload = TrainedModel.objects.values_list("payload", flat=True).get(pk=pk)
        cached = (pk, pickle.loads(bytes(payload)))  # noqa: S301  (written by predictions_train only)
        _loaded[kind] = cached
    return cached[1], version


def _lasts_days(size, product_type):
    """Days one unit lasts (size ÷ the type's daily use, the replenishment rule), None without a size."""
    if not size or size <= 0:
        return None
    return float(size / daily_use(product_type))


def _product_profile(product):
    return {
        "skin_types": product.skin_types or [],
        "concerns": product.concerns or [],
        "category": product.category_id,
        "price": float(product.price),
        "ingredients": sorted(product.ingredients.values_list("name", flat=True)),
        "lasts_days": _lasts_days(product.size_amount, product.product_type),
    }


def _stars_to_satisfaction(stars):
    return round((stars - 1) / 4, 4)


def prediction_product(*, product_id) -> Product:
    """An active product, or ``ML_PRODUCT_NOT_FOUND``."""
    product = Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE).first()
    if product is None:
        raise ApplicationError(AnalyticsErrorCode.ML_PRODUCT_NOT_FOUND, gettext("Product not found."))
    return product


def satisfaction_predict(*, user, product) -> dict:
    """The stars ``user`` would give ``product``: the model when trained, the product's smoothed mean
    rating otherwise (the benchmark's baseline)."""
    model, version = current_model(ModelKind.SATISFACTION)
    if model is not None:
        # Profiles as they are now: skin type or concerns may have changed since training.
        profile = ({"skin_type": user.skin_type, "concerns": user.skin_concerns or []}, _product_profile(product))
        stars = model.predict([(user.pk, product.pk)], profiles={(user.pk, product.pk): profile})[0]
        algorithm = "gradient_boosting"
    else:
        # The benchmark's baseline: the product's mean rating smoothed toward its category's.
        category = list(Product.objects.filter(category_id=product.category_id).values_list("pk", flat=True))
        reviews, _, users, products = training_records(product_ids=category)
        stars = RatingStats(reviews, users, products).product_mean(product.pk)
        algorithm, version = "product_mean", None
    stars = round(min(5.0, max(1.0, stars)), 2)
    return {
        "product_id": product.pk,
        "predicted_rating": stars,
        "predicted_satisfaction": _stars_to_satisfaction(stars),
        "algorithm": algorithm,
        "model_version": version,
    }


def repurchase_predict(*, user, product) -> dict:
    """How likely ``user`` buys ``product`` again within the model's horizon; None when nothing was
    trained yet (too little purchase history to learn from)."""
    model, version = current_model(ModelKind.REPURCHASE)
    # Every purchase of the product (how often its buyers come back) and every purchase of the user.
    purchases = [
        (u, p, _seconds(at))
        for u, p, at in OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False)
        .filter(Q(product_id=product.pk) | Q(order__user_id=user.pk))
        .values_list("order__user_id", "product_id", "order__created_at")
    ]
    bought = sum(1 for u, p, _ in purchases if (u, p) == (user.pk, product.pk))
    answer = {
        "product_id": product.pk,
        "times_bought": bought,
        "horizon_days": HORIZON_DAYS,
        "likelihood": None,
        "algorithm": None,
        "model_version": None,
    }
    if model is None or getattr(model, "features", None) != RepurchaseModel.FEATURES:
        return answer  # nothing trained yet, or a model trained on other features (before an upgrade)
    rating = (
        Review.objects.filter(status=ContentStatus.APPROVED, user=user, product=product)
        .values_list("rating", flat=True)
        .first()
    )
    history = PurchaseHistory(purchases, datetime.now(UTC).timestamp())
    features = history.features(
        user.pk,
        product.pk,
        {} if rating is None else {(user.pk, product.pk): rating},
        {user.pk: {"skin_type": user.skin_type, "concerns": user.skin_concerns or []}},
        {product.pk: _product_profile(product)},
    )
    answer.update(
        likelihood=round(model.predict([features])[0], 4), algorithm="gradient_boosting", model_version=version
    )
    return answer
