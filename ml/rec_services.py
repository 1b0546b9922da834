"""Writes around recommendations: feedback (impressions, clicks, "not interested"), and the
per-user refresh queued after a purchase or a review."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from ml import services
from ml.models import AvoidedIngredient, HiddenRecommendation
from shop.catalog import selectors as catalog_selectors
from skincare import deferred

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


# Purchases and reviews of one shopper close together rebuild their list once (a checkout alone
# sends two triggers when a pending order is confirmed by its payment, and shoppers buy in bursts).
REFRESH_COALESCE_SECONDS = 30
# With a broker, how long the claim of a queued refresh lasts if its task never starts (lost).
REFRESH_CLAIM_SECONDS = 5 * REFRESH_COALESCE_SECONDS


def refresh_claim_key(user_id):
    return f"ml:recommendations:refresh:{user_id}"


def _queue_refresh(user_id):
    """Queue the user's refresh unless one is already claimed (a key in the cache):

    - with a broker, the refresh runs ``REFRESH_COALESCE_SECONDS`` later and releases the claim
      when it starts, so every purchase or review is in the list it writes (those arriving after
      it started queue the next one);
    - eager (no broker), the refresh runs now and the claim lasts ``REFRESH_COALESCE_SECONDS``:
      triggers within that window do not rebuild the list again; the user's next refresh after it,
      or the nightly precompute, includes them.

    When the cache cannot answer, the refresh is queued as before (never skipped on an outage)."""
    from ml.tasks import recommendations_user_refresh

    try:
        eager = recommendations_user_refresh.app.conf.task_always_eager
        claimed = cache.add(refresh_claim_key(user_id), 1, REFRESH_COALESCE_SECONDS if eager else REFRESH_CLAIM_SECONDS)
        if claimed is False:
            return
        if eager:
            recommendations_user_refresh.delay(user_id)
        else:
            # In a checkout (``skincare.deferred.batch``) it leaves with the checkout's other tasks, in one message.
            deferred.publish(
                recommendations_user_refresh,
                args=(user_id,),
                kwargs={"release": True},
                countdown=REFRESH_COALESCE_SECONDS,
            )
    except Exception as exc:  # noqa: BLE001 - a broker or store outage never fails the purchase or review
        logger.warning("Recommendation refresh for user %s not queued: %s", user_id, exc)


def refresh_claim_release(user_id):
    """Called by the queued refresh as it starts: later triggers queue the next one."""
    cache.delete(refresh_claim_key(user_id))


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
