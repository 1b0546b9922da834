"""Writes around recommendations: feedback (impressions, clicks, "not interested"), and the
per-user refresh queued after a purchase or a review."""

import logging

from django.db import transaction
from django.utils.translation import gettext

from ml import services
from ml.models import AvoidedIngredient, HiddenRecommendation
from shop.catalog import selectors as catalog_selectors

logger = logging.getLogger(__name__)


def _event(event_type, *, data, user, session_id, device_info):
    user_id = user.pk if user is not None and user.is_authenticated else None
    return services.event_build(
        event_type=event_type,
        data=data,
        user_id=user_id,
        session_id=session_id,
        device_info=device_info,
        source="server",
    )


def recommendation_feedback_record(
    *, user, product_id, interaction_type, recommendation_type="", page_type="", position=None, session_id="",
    device_info=None,
):  # fmt: skip
    """A click or an "ignore" ("not interested") on a recommended product, into
    ``recommendation_feedback`` (through the analytics buffer). An ignore by a signed-in shopper
    also hides the product from their lists for good. Returns whether it is hidden."""
    product = catalog_selectors.product_active_get(product_id=product_id, field="product_id")
    data = {"product_id": product.pk, "recommendation_type": recommendation_type, "page_type": page_type}
    if position is not None:
        data["position"] = position
    event_type = "recommendation_clicked" if interaction_type == "click" else "recommendation_ignored"
    services.events_record(
        events=[_event(event_type, data=data, user=user, session_id=session_id, device_info=device_info)]
    )
    if interaction_type == "ignore" and user is not None and user.is_authenticated:
        HiddenRecommendation.objects.get_or_create(user=user, product=product)
        return True
    return False


def recommendation_impressions_record(*, user, product_ids, recommendation_type, page_type, session_id=""):
    """What a page showed (one buffered event, no query)."""
    if not product_ids:
        return 0
    data = {"product_ids": list(product_ids), "recommendation_type": recommendation_type, "page_type": page_type}
    return services.events_record(
        events=[_event("recommendation_shown", data=data, user=user, session_id=session_id, device_info={})]
    )


def _queue_refresh(user_id):
    from ml.tasks import recommendations_user_refresh

    try:
        recommendations_user_refresh.delay(user_id)
    except Exception as exc:  # noqa: BLE001 - a broker or store outage never fails the purchase or review
        logger.warning("Recommendation refresh for user %s not queued: %s", user_id, exc)


def recommendations_refresh_later(*, user_id):
    """Queue the user's list to be rebuilt once the current transaction commits."""
    if user_id is not None:
        transaction.on_commit(lambda: _queue_refresh(user_id))


@transaction.atomic
def avoided_ingredients_set(*, user, ingredient_ids):
    """Replace the shopper's ingredients to avoid; unknown ids are a 400 and change nothing."""
    from shop.catalog.models import Ingredient
    from skincare.api.error_codes import ApiErrorCode
    from skincare.errors import ApplicationError

    wanted = set(ingredient_ids)
    known = set(Ingredient.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = sorted(wanted - known)
    if unknown:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("Some ingredients do not exist."),
            errors={"ingredient_ids": [f"Unknown ingredient: {pk}." for pk in unknown]},
        )
    AvoidedIngredient.objects.filter(user=user).exclude(ingredient_id__in=wanted).delete()
    AvoidedIngredient.objects.bulk_create(
        [AvoidedIngredient(user=user, ingredient_id=pk) for pk in sorted(wanted)], ignore_conflicts=True
    )
