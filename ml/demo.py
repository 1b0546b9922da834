"""Demo analytics for ``manage.py seed_demo``: 30 days of browsing sessions and server-shaped
searches (with clicks and conversions) for the demo shoppers and products, then every ETL job,
so the staff analytics have something to show.

Idempotent: the documents carry ``"demo": true`` and are replaced on each run; generation is
seeded, so a re-run writes the same events. Search result counts are the catalog's real answers
to the demo queries. ``--scale`` multiplies the sessions per day (120 per 1.0)."""

import random
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q

from ml.etl.jobs import (
    daily_metrics_run,
    feedback_analytics_run,
    feedback_stream_run,
    purchase_patterns_run,
    user_feedback_journey_run,
)
from ml.store import get_store, iso
from shop.accounts.models import User
from shop.catalog import search, selectors

SESSIONS_PER_SCALE = 120
DAYS = 30
QUERIES = [
    "vitamin c", "niacinamide serum", "sunscreen spf50", "retinol night", "centella", "hyaluronic acid",
    "ceramides barrier", "salicylic acid", "oil cleanser", "snail mucin", "azelaic", "peptide eye cream",
]  # fmt: skip
DEVICES = [
    {"device_type": "mobile", "browser": "Safari", "os": "iOS"},
    {"device_type": "mobile", "browser": "Chrome", "os": "Android"},
    {"device_type": "desktop", "browser": "Chrome", "os": "Windows"},
    {"device_type": "tablet", "browser": "Safari", "os": "iOS"},
]


def _results(query):
    """(total, first 20 ids) of the catalog's answer to ``query``."""
    found = search.search_products(selectors.product_list_queryset(), query)
    return found.count(), list(found.values_list("pk", flat=True)[:20])


def _session(rng, *, day, number, user_ids, product_ids, results):
    start = datetime.combine(day, time.min, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 86400 - 3600))
    clock = iter(start + timedelta(seconds=37 * i) for i in range(1000))
    user_id = rng.choice(user_ids) if user_ids and rng.random() < 0.6 else None
    session_id = f"demo-{day:%Y%m%d}-{number}"
    device = {**rng.choice(DEVICES), "user_agent": "", "ip_address": ""}

    def event(kind, **data):
        return {"event_type": kind, "event_data": {**data, "timestamp": iso(next(clock))}, "source": "demo"}

    events, searches = [event("page_view", page_url="/")], []
    for _ in range(rng.randint(1, 5)):
        events.append(event("product_view", product_id=rng.choice(product_ids)))
    if rng.random() < 0.5:
        query = rng.choice(QUERIES)
        total, found = results[query]
        searched = event("search", query=query)
        doc = {
            "search_id": f"{session_id}-s", "user_id": user_id, "search_query": query, "normalized_query": query,
            "filters_applied": {}, "results_count": total, "clicked_products": [],
            "conversion_data": {"added_to_cart": [], "purchased": []}, "session_id": session_id,
            "timestamp": searched["event_data"]["timestamp"], "device_info": device, "demo": True,
        }  # fmt: skip
        events.append(searched)
        if found and rng.random() < 0.6:
            position = rng.randint(1, min(5, len(found)))
            clicked = event("product_view", product_id=found[position - 1], position=position)
            events.append(clicked)
            doc["clicked_products"].append(
                {
                    "product_id": found[position - 1],
                    "position": position,
                    "clicked_at": clicked["event_data"]["timestamp"],
                }
            )
            if rng.random() < 0.4:
                events.append(event("cart_add", product_id=found[position - 1], quantity=1))
                doc["conversion_data"]["added_to_cart"].append(found[position - 1])
                if rng.random() < 0.5:
                    doc["conversion_data"]["purchased"].append(found[position - 1])
        searches.append(doc)
    stamps = [e["event_data"]["timestamp"] for e in events]
    session = {
        "user_id": user_id, "session_id": session_id, "events": events, "device_info": device,
        "created_at": min(stamps), "updated_at": max(stamps), "demo": True,
    }  # fmt: skip
    return session, searches


def seed_analytics(*, scale, progress):
    product_ids = list(selectors.product_list_queryset().order_by("pk").values_list("pk", flat=True))
    if not product_ids:
        return
    user_ids = list(
        User.objects.filter(Q(email__startswith="shopper", email__endswith="@skincare.local"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    results = {query: _results(query) for query in QUERIES}
    rng = random.Random(f"analytics-demo-{scale}")
    store = get_store()
    store.delete("user_analytics", {"demo": True})
    store.delete("search_analytics", {"demo": True})
    expires_at = datetime.now(UTC) + timedelta(days=settings.ANALYTICS_EVENT_RETENTION_DAYS)
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    per_day = max(5, int(SESSIONS_PER_SCALE * scale))
    for index, day in enumerate(days, start=1):
        sessions, searches = [], []
        for number in range(per_day):
            session, found = _session(
                rng, day=day, number=number, user_ids=user_ids, product_ids=product_ids, results=results
            )
            sessions.append(session)
            searches.extend(found)
        store.insert_many("user_analytics", sessions, expires_at=expires_at)
        store.upsert_many("search_analytics", [(doc["search_id"], doc) for doc in searches], expires_at=expires_at)
        daily_metrics_run(day=day)
        progress(index, len(days), "analytics days")
    rollups = [
        purchase_patterns_run,
        feedback_analytics_run,
        lambda: feedback_stream_run(date_from=days[0], date_to=today),
        user_feedback_journey_run,
    ]
    progress(0, len(rollups), "analytics roll-ups")
    for done, rollup in enumerate(rollups, 1):
        rollup()
        progress(done, len(rollups), "analytics roll-ups")
