"""Product view counts: counted in the cache on every detail request, written to the database by the
periodic task ``catalog.flush_product_views`` (CELERY_BEAT_SCHEDULE), so a page view never writes a row.

Increments and the flush's take are atomic cache operations (Redis ``INCRBY``; the local-memory cache
under its lock). The flush takes each pending count by decrementing it by what it read - views counted
meanwhile stay for the next run - and one flush runs at a time (a cache lock), so every view is added
once. Counts still in the cache when it is cleared or lost are not written (at most a schedule
interval's worth).
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When

from shop.catalog.models import Product

logger = logging.getLogger(__name__)

FLUSH_LOCK_KEY = "catalog:views:flush-lock"
FLUSH_LOCK_TIMEOUT = 10 * 60
CHUNK = 1000


def view_key(product_id) -> str:
    return f"catalog:views:v1:{product_id}"


def product_view_count(*, product_id):
    """Count one view of the product (no database write)."""
    key = view_key(product_id)
    try:
        cache.incr(key)
    except ValueError:  # first view since the last flush
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)


def pending_views(*, product_ids) -> dict:
    """{product_id: views counted and not yet flushed}."""
    keys = {view_key(pk): pk for pk in product_ids}
    return {keys[key]: int(n) for key, n in cache.get_many(list(keys)).items() if n}


def _take(chunk_ids) -> dict:
    taken = {}
    for product_id, n in pending_views(product_ids=chunk_ids).items():
        if n <= 0:
            continue
        try:
            cache.decr(view_key(product_id), n)
        except ValueError:  # evicted in between: nothing to take
            continue
        taken[product_id] = n
    return taken


def _give_back(taken):
    for product_id, n in taken.items():
        try:
            cache.incr(view_key(product_id), n)
        except ValueError:
            cache.add(view_key(product_id), n, timeout=None)


def product_views_flush() -> dict:
    """Add the pending counts to ``Product.view_count``. Returns {"products": n, "views": n}."""
    if not cache.add(FLUSH_LOCK_KEY, 1, timeout=FLUSH_LOCK_TIMEOUT):
        logger.info("product views flush already running; skipped")
        return {"products": 0, "views": 0, "skipped": True}
    products = views = 0
    try:
        ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            taken = _take(ids[start : start + CHUNK])
            if not taken:
                continue
            added = Case(
                *[When(pk=pk, then=Value(n)) for pk, n in taken.items()], default=Value(0), output_field=IntegerField()
            )
            try:
                with transaction.atomic():
                    Product.objects.filter(pk__in=list(taken)).update(view_count=F("view_count") + added)
            except Exception:
                _give_back(taken)  # the next run adds them
                raise
            products += len(taken)
            views += sum(taken.values())
    finally:
        cache.delete(FLUSH_LOCK_KEY)
    result = {"products": products, "views": views}
    logger.info("product views flush: %s", result)
    return result
