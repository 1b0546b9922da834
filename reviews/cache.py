"""The cached review summary of a product, dropped whenever what it counts changes.

A summary (histogram, aspect averages, rates by skin type, sentiment) takes three or four
aggregate queries over the product's approved reviews, and it changes only when that set or a
counted field of it changes: a moderation decision, an edit or deletion (which all go through
``services.product_rating_refresh``), approved photos (``services.review_media_refresh``) or a
sentiment re-scoring (``ml``, all products at once). Those call ``summary_invalidate``, which
drops the products' entries now and again after commit (a summary rebuilt from the old rows while
the change was in flight is not kept), or replaces the version every entry records.

A hit is one cache read, which also fetches the catalog's cached public payload of the product:
when it is there the product is active (the catalog drops it on every product change), so the
endpoint needs no query to answer 404 for unpublished products.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

from shop.catalog import cache as catalog_cache

TIMEOUT = 60 * 60
VERSION_KEY = "reviews:summary-version:v1"


def summary_key(product_id, with_sentiment):
    return f"reviews:summary:v1:{product_id}:{int(bool(with_sentiment))}"


def summary_lookup(*, product_id, with_sentiment):
    """``(summary or None, product known active, version)`` in one cache read."""
    key, product_key = summary_key(product_id, with_sentiment), catalog_cache.product_detail_key(product_id)
    found = cache.get_many([VERSION_KEY, key, product_key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(VERSION_KEY)
    entry = found.get(key)
    summary = entry[1] if entry is not None and entry[0] == version else None
    return summary, product_key in found, version


def summary_store(*, product_id, with_sentiment, version, summary):
    cache.set(summary_key(product_id, with_sentiment), (version, summary), TIMEOUT)


def summary_invalidate(*, product_ids=None):
    """Drop the summaries of ``product_ids`` (of every product when None), now and after commit."""

    def drop():
        if product_ids is None:
            cache.set(VERSION_KEY, uuid.uuid4().hex[:12], None)
        else:
            cache.delete_many([summary_key(pk, s) for pk in product_ids for s in (False, True)])

    drop()
    transaction.on_commit(drop)
