"""Receivers of lower-app events (connected in ``MlConfig.ready``): the server records the
events it witnesses itself (purchases, approved reviews, searches), so the numbers do not depend
on what clients send. Every receiver swallows its errors: analytics never breaks the flow."""

import json
import logging
from json.encoder import encode_basestring_ascii

from django.db import transaction

from feedback.models import ContentType
from ml import rec_services, services, tracking
from ml.etl.common import PURCHASED
from reviews.models import Review
from skincare import events

logger = logging.getLogger(__name__)


def _record(*, committed=False, **event):
    """``committed``: called after a commit (a purchase), see ``services.events_record_committed``."""
    record = services.events_record_committed if committed else services.events_record
    record(events=[services.event_build(source="server", **event)])


def on_order_placed(sender, order, items=None, **kwargs):
    try:
        if items is None:
            items = list(order.items.values_list("product_id", "quantity", "total_price"))
        else:  # the rows checkout just created, in their order: no query
            items = [(item.product_id, item.quantity, item.total_price) for item in items]
        _record(
            committed=True,  # sent after the order's commit (``send_on_commit``)
            event_type="purchase",
            data={
                "order_id": order.pk,
                "product_ids": sorted({product_id for product_id, _, _ in items}),
                "items": [{"product_id": p, "quantity": q, "total_price": str(t)} for p, q, t in items],
                "total": str(order.total),
                "currency": order.currency,
            },
            user_id=order.user_id,
            session_id="",
            device_info={},
            occurred_at=order.created_at,
        )
    except Exception as exc:  # noqa: BLE001
        logger.warning("Purchase event for order %s dropped: %s", getattr(order, "pk", None), exc)


def on_order_purchased(sender, order, **kwargs):
    """An order placed as, or turning into, a purchase (confirmed, then processing, shipped,
    delivered) rebuilds the buyer's recommendations once."""
    if "new_status" in kwargs:
        if kwargs["new_status"] not in PURCHASED or kwargs.get("old_status") in PURCHASED:
            return
    elif order.status not in PURCHASED:
        return
    try:
        rec_services.recommendations_refresh_later(user_id=order.user_id)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Recommendation refresh for order %s not queued: %s", getattr(order, "pk", None), exc)


def on_moderation_decided(sender, content_type, content_id, decision, **kwargs):
    if content_type != ContentType.REVIEW or decision != "approved":
        return
    transaction.on_commit(lambda: _queue_sentiment(content_id))
    try:
        review = Review.objects.only("pk", "product_id", "user_id", "rating").get(pk=content_id)
        rec_services.recommendations_refresh_later(user_id=review.user_id)
        _record(
            event_type="review_written",
            data={"product_id": review.product_id, "review_id": review.pk, "rating": review.rating},
            user_id=review.user_id,
            session_id="",
            device_info={},
        )
    except Exception as exc:  # noqa: BLE001
        logger.warning("Review event for review %s dropped: %s", content_id, exc)


def _queue_sentiment(review_id):
    from ml.tasks import review_sentiment

    try:
        review_sentiment.delay(review_id)
    except Exception as exc:  # noqa: BLE001  (a broker outage must not fail the approval)
        logger.warning("Sentiment of review %s not queued: %s", review_id, exc)


MAX_QUERY = 200
MAX_FILTER_VALUES = 20


def normalize_query(query):
    return " ".join(query.split()).casefold()[:MAX_QUERY]


def _bounded(filters):
    return {name: [value[:MAX_QUERY] for value in values[:MAX_FILTER_VALUES]] for name, values in filters.items()}


_encode = json.JSONEncoder(separators=(",", ":")).encode

# (query, filters, results count) -> the search event's data between its id and its time, as JSON. Bounded;
# cleared when full.
_search_data = {}
SEARCH_DATA_MAX = 1024


def _search_data_json(query, filters, results_count):
    key = (query, repr(filters), results_count)
    encoded = _search_data.get(key)
    if encoded is None:
        data = {
            "query": query[:MAX_QUERY],
            "normalized_query": normalize_query(query),
            "filters": _bounded(filters),
            "results_count": results_count,
        }
        encoded = _encode(data)[1:-1]
        if len(_search_data) >= SEARCH_DATA_MAX:
            _search_data.clear()
        _search_data[key] = encoded
    return encoded


def search_event_encoded(*, request, search_id, query, filters, results_count):
    """The search event as the buffer holds it: ``buffer.encode`` of what ``services.event_build`` (source
    "server") builds from the same fields, composed from pieces. The query's part is encoded once per
    (query, filters, results count), the device's once per User-Agent; per request only the id, the time,
    the user, the session and the address."""
    user = getattr(request, "user", None)
    user_id = "null" if user is None or not user.is_authenticated else _encode(user.pk)
    stamp = services.now_iso()  # digits and punctuation: nothing to escape
    return "".join(
        (
            '{"event_type":"search","event_data":{"search_id":',
            encode_basestring_ascii(search_id),
            ",",
            _search_data_json(query, filters, results_count),
            ',"timestamp":"',
            stamp,
            '"},"user_id":',
            user_id,
            ',"session_id":',
            encode_basestring_ascii(tracking.session_header(request)),
            ',"device_info":',
            tracking.device_info_json(request),
            ',"source":"server","received_at":"',
            stamp,
            '"}',
        )
    )


def on_search_performed(sender, request, search_id, query, filters, results_count, **kwargs):
    """The server's search event, buffered with this process's next batch (``services.events_record_batched``)."""
    try:
        encoded = search_event_encoded(
            request=request, search_id=search_id, query=query, filters=filters, results_count=results_count
        )
        services.events_record_batched(encoded=encoded)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Search event dropped: %s", exc)


def connect():
    events.order_placed.connect(on_order_placed, dispatch_uid="ml.order_placed")
    events.order_placed.connect(on_order_purchased, dispatch_uid="ml.order_placed.recommendations")
    events.order_status_changed.connect(on_order_purchased, dispatch_uid="ml.order_status.recommendations")
    events.moderation_decided.connect(on_moderation_decided, dispatch_uid="ml.moderation_decided")
    events.search_performed.connect(on_search_performed, dispatch_uid="ml.search_performed")
