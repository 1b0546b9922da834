"""Writes around recommendations: feedback (impressions, clicks, "not interested"), and the
refresh of shoppers' lists queued after a purchase or a review."""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from ml import buffer, services
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


# A purchase or a review marks its shopper as pending (a Redis set). With a broker, the first trigger
# after a batch started schedules the next one, ``ML_REFRESH_WINDOW_SECONDS`` later, which refreshes every
# shopper pending by then together: a shopper's list is at most that late after their purchase (plus the
# batch's run). A checkout alone sends two triggers when a pending order is confirmed by its payment.
PENDING_KEY = "ml:recommendations:refresh:pending"
SCHEDULED_KEY = "ml:recommendations:refresh:scheduled"  # a batch is scheduled: triggers only add to the set
TAKEN_SECONDS = 24 * 3600  # the users a batch took, kept for a redelivery of its message if its worker dies


def refresh_claim_key(user_id):
    return f"ml:recommendations:refresh:{user_id}"


def _queue_refresh(user_id):
    """Queue the user's refresh (called after the commit):

    - with a broker and Redis, the user joins the pending set and, unless a batch is scheduled (for
      at most 5 windows, in case its message is lost), a batch is scheduled a window later; in a checkout
      (``skincare.deferred.batch``) the set's commands go with its other after-commit Redis writes, in one
      round trip;
    - with a broker and no shared set (no Redis, or Redis cannot answer), the refresh of this user
      alone is queued a window later: never skipped on an outage;
    - eager (no broker), the refresh runs now and a claim in the cache lasts a window: triggers within
      it do not rebuild the list again; the user's next refresh after it, or the nightly precompute,
      includes them."""
    from ml.tasks import recommendations_refresh

    window = settings.ML_REFRESH_WINDOW_SECONDS
    try:
        if recommendations_refresh.app.conf.task_always_eager:
            if cache.add(refresh_claim_key(user_id), 1, window) is not False:
                recommendations_refresh.delay(user_ids=[user_id])
            return
        deferred.redis_after_commit(
            lambda pipe: _pending_add(pipe, user_id, claim=5 * window),
            replies=lambda replies: _refresh_publish(user_id, replies=replies),
            failed=lambda exc: _refresh_publish(user_id, replies=[exc]),
            plain=lambda: _refresh_publish(user_id, replies=None),
        )
    except Exception as exc:  # noqa: BLE001 - a broker or store outage never fails the purchase or review
        logger.warning("Recommendation refresh for user %s not queued: %s", user_id, exc)


def _pending_add(pipe, user_id, *, claim):
    """Queue on ``pipe``: the user joins the pending set, then the next batch is claimed (``SET NX``). Not a
    transaction: a batch that starts between the two takes the user (and the claim that follows schedules one
    more batch), or finds the claim not yet made; either way the user is refreshed."""
    pipe.sadd(cache.make_key(PENDING_KEY), user_id)
    pipe.set(cache.make_key(SCHEDULED_KEY), 1, nx=True, ex=max(1, claim))


def _refresh_publish(user_id, *, replies):
    """The refresh's message after ``_pending_add``'s ``replies``: none when a batch was scheduled already,
    the next batch when this trigger claimed it, this user's own refresh without a shared set (``replies``
    None, or an error: Redis down)."""
    from ml.tasks import recommendations_refresh

    failed = None if replies is None else next((reply for reply in replies if isinstance(reply, Exception)), None)
    if failed is not None:
        logger.warning("Recommendation refresh of user %s queued on its own: %s", user_id, failed)
    scheduled = None if replies is None or failed is not None else bool(replies[1])
    if scheduled is False:
        return
    try:
        # In a checkout (``skincare.deferred.batch``) it leaves with the checkout's other tasks, in one message.
        deferred.publish(
            recommendations_refresh,
            kwargs={} if scheduled else {"user_ids": [user_id]},
            countdown=settings.ML_REFRESH_WINDOW_SECONDS,
        )
    except Exception as exc:  # noqa: BLE001 - a broker outage never fails the purchase or review
        logger.warning("Recommendation refresh for user %s not queued: %s", user_id, exc)


@contextmanager
def refresh_pending_taken(*, batch):
    """The pending users, moved under the batch's own key as it starts: a trigger from now on schedules the
    next batch. A batch that raises puts its users back in the pending set (its retry or the next batch
    takes them); a message redelivered after its worker died (same id) finds them under its key."""
    conn = buffer._redis()
    if conn is None:
        yield []
        return
    pending, taken = cache.make_key(PENDING_KEY), cache.make_key(f"{PENDING_KEY}:{batch}")
    with conn.pipeline(transaction=True) as pipe:
        pipe.delete(cache.make_key(SCHEDULED_KEY))
        pipe.sunionstore(taken, [taken, pending])
        pipe.delete(pending)
        pipe.expire(taken, TAKEN_SECONDS)
        pipe.smembers(taken)
        *_, members = pipe.execute()
    try:
        yield sorted(int(member) for member in members)
    except Exception:
        with conn.pipeline(transaction=True) as pipe:
            pipe.sunionstore(pending, [pending, taken])
            pipe.delete(taken)
            pipe.execute()
        raise
    conn.delete(taken)


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
