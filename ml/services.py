"""Analytics events: recorded into the buffer on the request path (one cache call), written to
the store in bulk by ``ml.flush_events``. An unreachable buffer or store drops analytics with a
logged warning; it never fails the shopper's request."""

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from ml import buffer
from ml.store import get_store, iso
from skincare import deferred

logger = logging.getLogger(__name__)

SEARCH_ATTRIBUTION_DAYS = 30
CLICK_EVENTS = {"product_view", "recommendation_clicked"}
RECOMMENDATION_EVENTS = {"recommendation_shown", "recommendation_clicked", "recommendation_ignored"}


def now_iso():
    """``iso(datetime.now(UTC))``, without its conversion to UTC."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def event_build(*, event_type, data, user_id, session_id, device_info, source, occurred_at=None):
    received_at = now_iso()
    return {
        "event_type": event_type,
        "event_data": {**data, "timestamp": iso(occurred_at) if occurred_at else received_at},
        "user_id": user_id,
        "session_id": session_id or "",
        "device_info": device_info or {},
        "source": source,
        "received_at": received_at,
    }


FLUSH_SCHEDULED_KEY = "ml:events:flush-scheduled"
FLUSH_SCHEDULED_SECONDS = 30


def _flush_soon():
    """One flush task at a time: requests arriving while one is queued do not queue more."""
    if cache.add(FLUSH_SCHEDULED_KEY, 1, FLUSH_SCHEDULED_SECONDS):
        from ml.tasks import flush_events

        transaction.on_commit(flush_events.delay)


def events_record(*, events=None, encoded=None):
    """Buffer built events (or ``encoded``: their buffer items, as ``buffer.encode`` makes them); a full
    buffer schedules a flush. Returns how many were buffered."""
    values = buffer.encode(events or ()) if encoded is None else encoded
    if not values:
        return 0
    try:
        size = buffer.push(encoded=values)
    except Exception as exc:  # noqa: BLE001 - analytics must never fail the request
        return _write_unbuffered(events if events is not None else [json.loads(value) for value in values], exc)
    _pushed(size)
    return len(values)


def events_record_committed(*, events):
    """``events_record`` from an after-commit receiver (a purchase): in a checkout's ``skincare.deferred`` batch
    the push goes with the batch's other after-commit Redis writes, in one round trip; its reply (the buffer's
    length) then decides the flush, and a failed push writes the events to the store, as ``events_record``."""
    values = buffer.encode(events)

    def replies(replies):
        if isinstance(replies[0], Exception):
            _write_unbuffered(events, replies[0])
        else:
            _pushed(replies[0])

    deferred.redis_after_commit(
        lambda pipe: buffer.push_queue(pipe, values),
        replies=replies,
        failed=lambda exc: _write_unbuffered(events, exc),
        plain=lambda: events_record(events=events, encoded=values),
    )


def _pushed(size):
    """The buffer holds ``size`` items after a push: a full one schedules a flush."""
    if size >= settings.ANALYTICS_FLUSH_SIZE:
        try:
            _flush_soon()
        except Exception as exc:  # noqa: BLE001
            logger.warning("Could not schedule the analytics flush: %s", exc)


# This process's search events, buffered together (``buffer.ProcessBatch``): one push per batch, not per search.
search_batch = buffer.ProcessBatch(
    push=lambda encoded: events_record(encoded=encoded),
    size=lambda: settings.ANALYTICS_SEARCH_BATCH,
    seconds=lambda: settings.ANALYTICS_SEARCH_BATCH_SECONDS,
)


def events_record_batched(*, encoded):
    """Buffer an encoded event with this process's next batch (``search_batch``): at the latest after
    ``ANALYTICS_SEARCH_BATCH`` events or ``ANALYTICS_SEARCH_BATCH_SECONDS``, or when the process exits."""
    search_batch.add(encoded)


def _write_unbuffered(events, reason):
    """The buffer (Redis) is down: write the events to the store at once, so a cache outage loses none
    (docs/operations.md, "Redis down"). In a savepoint: a failed write leaves the caller's transaction usable."""
    try:
        with transaction.atomic():
            events_write(store=get_store(), events=events)
    except Exception as exc:  # noqa: BLE001 - analytics must never fail the request
        logger.warning("Analytics buffer and store unavailable, %d events dropped: %s; %s", len(events), reason, exc)
        return 0
    logger.warning("Analytics buffer unavailable (%s): %d events written to the store directly", reason, len(events))
    return len(events)


def _expiry():
    return datetime.now(UTC) + timedelta(days=settings.ANALYTICS_EVENT_RETENTION_DAYS)


def _user_analytics_documents(events):
    groups = defaultdict(list)
    for event in events:
        day = event["event_data"]["timestamp"][:10]
        groups[(event["user_id"], event["session_id"], day)].append(event)
    documents = []
    for (user_id, session_id, _day), grouped in groups.items():
        stamps = [e["event_data"]["timestamp"] for e in grouped]
        documents.append(
            {
                "user_id": user_id,
                "session_id": session_id,
                "events": [
                    {"event_type": e["event_type"], "event_data": e["event_data"], "source": e["source"]}
                    for e in grouped
                ],
                "device_info": grouped[0]["device_info"],
                "created_at": min(stamps),
                "updated_at": max(stamps),
            }
        )
    return documents


def _search_document(event):
    data = event["event_data"]
    return {
        "user_id": event["user_id"],
        "search_query": data["query"],
        "normalized_query": data["normalized_query"],
        "filters_applied": data.get("filters", {}),
        "results_count": data["results_count"],
        "clicked_products": [],
        "conversion_data": {"added_to_cart": [], "purchased": []},
        "session_id": event["session_id"],
        "timestamp": data["timestamp"],
        "device_info": event["device_info"],
    }


def _recommendation_documents(event):
    data = event["event_data"]
    action = event["event_type"].removeprefix("recommendation_")
    product_ids = data.get("product_ids") or [data["product_id"]]
    return [
        {
            "user_id": event["user_id"],
            "session_id": event["session_id"],
            "product_id": product_id,
            "action": action,
            "recommendation_type": data.get("recommendation_type", ""),
            "page_type": data.get("page_type", ""),
            "position": data.get("position"),
            "timestamp": data["timestamp"],
        }
        for product_id in product_ids
    ]


class _PurchaseSearches:
    """The searches a batch's purchases may be attributed to, read once per batch (one ``find`` for
    every buyer of the batch, over the union of their windows) when the first purchase needs them,
    then kept in step with the batch's later ``added_to_cart`` pushes: each purchase sees what its own
    ``find`` saw when the events were attributed one by one."""

    def __init__(self, store, events):
        self.store = store
        self.purchases = [e for e in events if _attributable(e)]
        self.by_user = None
        self.by_id = {}

    def _load(self):
        self.by_user = defaultdict(list)
        if not self.purchases:
            return
        stamps = [e["event_data"]["timestamp"] for e in self.purchases]
        found = self.store.find(
            "search_analytics",
            {
                "user_id": {"$in": sorted({e["user_id"] for e in self.purchases})},
                "timestamp": {"$gte": min(_attribution_since(stamp) for stamp in stamps), "$lte": max(stamps)},
            },
            sort=[("timestamp", -1)],
        )
        for search in found:
            self.by_user[search["user_id"]].append(search)
            self.by_id[search["search_id"]] = search

    def for_purchase(self, event):
        if self.by_user is None:
            self._load()
        since, until = _attribution_since(event["event_data"]["timestamp"]), event["event_data"]["timestamp"]
        return [s for s in self.by_user.get(event["user_id"], ()) if since <= s["timestamp"] <= until]

    def added_to_cart(self, search_id, product_id, pushed):
        search = self.by_id.get(search_id)
        if pushed and search is not None:
            search["conversion_data"]["added_to_cart"].append(product_id)


def _attributable(event):
    return event["event_type"] == "purchase" and event["source"] == "server" and event["user_id"] is not None


def _attribution_since(stamp):
    return iso(datetime.fromisoformat(stamp) - timedelta(days=SEARCH_ATTRIBUTION_DAYS))


def _attribute_purchase(store, event, searches):
    """A purchased product counts for the latest search of the buyer that put it in the cart."""
    candidates = searches.for_purchase(event)
    for product_id in event["event_data"].get("product_ids", []):
        for search in candidates:
            if product_id in search["conversion_data"]["added_to_cart"]:
                store.push("search_analytics", search["search_id"], "conversion_data.purchased", [product_id])
                break


def events_write(*, store, events):
    """Write a batch to the store: the session streams (``user_analytics``), the server's searches
    (``search_analytics``, keyed by search id), clicks and conversions attributed to the search
    they came from, and recommendation feedback."""
    expires_at = _expiry()
    store.insert_many("user_analytics", _user_analytics_documents(events), expires_at=expires_at)
    searches = [
        (e["event_data"]["search_id"], {**_search_document(e), "search_id": e["event_data"]["search_id"]})
        for e in events
        if e["event_type"] == "search" and e["source"] == "server"
    ]
    store.upsert_many("search_analytics", searches, expires_at=expires_at)
    recommendations = [doc for e in events if e["event_type"] in RECOMMENDATION_EVENTS
                       for doc in _recommendation_documents(e)]  # fmt: skip
    store.insert_many("recommendation_feedback", recommendations, expires_at=expires_at)
    purchase_searches = _PurchaseSearches(store, events)
    for event in events:
        data = event["event_data"]
        search_id = data.get("search_id")
        if search_id and event["event_type"] in CLICK_EVENTS and data.get("position"):
            click = {"product_id": data["product_id"], "position": data["position"], "clicked_at": data["timestamp"]}
            store.push("search_analytics", search_id, "clicked_products", [click])
        elif search_id and event["event_type"] == "cart_add":
            pushed = store.push("search_analytics", search_id, "conversion_data.added_to_cart", [data["product_id"]])
            purchase_searches.added_to_cart(search_id, data["product_id"], pushed)
        elif _attributable(event):
            _attribute_purchase(store, event, purchase_searches)


def events_flush(*, batch_size=None, max_batches=100):
    """Drain the buffer into the store (this process's batch first); returns (written, dropped)."""
    batch_size = batch_size or settings.ANALYTICS_FLUSH_BATCH
    search_batch.flush()
    try:
        cache.delete(FLUSH_SCHEDULED_KEY)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Analytics cache unavailable: %s", exc)
    written = dropped = 0
    for _ in range(max_batches):
        try:
            events = buffer.drain(batch_size)
        except Exception as exc:  # noqa: BLE001
            logger.warning("Analytics buffer unavailable, flush skipped: %s", exc)
            break
        if not events:
            break
        try:
            events_write(store=get_store(), events=events)
            written += len(events)
        except Exception as exc:  # noqa: BLE001 - an outage drops analytics, never more
            dropped += len(events)
            logger.warning("Analytics store unavailable, %d events dropped: %s", len(events), exc)
    return written, dropped
