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


def _new_version():
    return uuid.uuid4().hex[:12]


def _version(key, found):
    """The version ``found`` (a ``get_many`` answer) holds under ``key``; when it is missing (first read, or
    evicted) one is created before the rows are read, and the one that won a concurrent creation is returned."""
    version = found.get(key)
    if version is None:
        cache.add(key, _new_version(), None)
        version = cache.get(key)
    return version


def summary_key(product_id, with_sentiment):
    return f"reviews:summary:v1:{product_id}:{int(bool(with_sentiment))}"


def summary_lookup(*, product_id, with_sentiment):
    """``(summary or None, product known active, version)`` in one cache read."""
    key, product_key = summary_key(product_id, with_sentiment), catalog_cache.product_detail_key(product_id)
    found = cache.get_many([VERSION_KEY, key, product_key])
    version = _version(VERSION_KEY, found)
    entry = found.get(key)
    summary = entry[1] if entry is not None and entry[0] == version else None
    return summary, product_key in found, version


def summary_store(*, product_id, with_sentiment, version, summary):
    cache.set(summary_key(product_id, with_sentiment), (version, summary), TIMEOUT)


def summary_invalidate(*, product_ids=None):
    """Drop the summaries of ``product_ids`` (of every product when None), now and after commit."""

    def drop():
        if product_ids is None:
            cache.set(VERSION_KEY, _new_version(), None)
        else:
            cache.delete_many([summary_key(pk, s) for pk in product_ids for s in (False, True)])

    drop()
    transaction.on_commit(drop)


# --- Public review lists --------------------------------------------------------------------------
# A product's approved reviews change with moderation, edits, deletions, photos, helpful votes, a
# delivered order (verified purchase) and their authors (name, skin type, expert role, community
# score). Every one of those replaces the product's *list version* (``list_invalidate``, now and after
# commit, as the summaries are dropped), which orphans every cached page of the product's list: one
# entry per product, filters, page, language and origin (``list_lookup`` / ``list_store``). The
# product itself (its name in every review) is checked against the catalog's cached payload.

LIST_TIMEOUT = 60 * 60


def list_version_key(product_id):
    return f"reviews:list-version:v1:{product_id}"


def list_page_key(product_id, digest):
    return f"reviews:list-page:v1:{product_id}:{digest}"


def list_lookup(*, product_id, digest):
    """``(entry or None, the catalog's cached public payload of the product or None, version)`` in one
    cache read; an entry built under another version of the product's list is not returned."""
    version_key, page_key = list_version_key(product_id), list_page_key(product_id, digest)
    product_key = catalog_cache.product_detail_key(product_id)
    found = cache.get_many([version_key, page_key, product_key])
    version = _version(version_key, found)
    entry = found.get(page_key)
    if entry is not None and (version is None or entry[0] != version):
        entry = None
    return (entry[1] if entry is not None else None), found.get(product_key), version


def list_store(*, product_id, digest, version, entry):
    if version is not None:
        cache.set(list_page_key(product_id, digest), (version, entry), LIST_TIMEOUT)


def list_invalidate(*, product_ids):
    """Orphan every cached page of these products' review lists, now and again after commit (a page
    rebuilt from the old rows while the change was in flight is not served afterwards)."""
    keys = [list_version_key(pk) for pk in dict.fromkeys(product_ids) if pk is not None]
    if not keys:
        return

    def bump():
        cache.set_many({key: _new_version() for key in keys}, None)

    bump()
    transaction.on_commit(bump)


AUTHOR_FIELDS = frozenset({"first_name", "last_name", "skin_type", "role", "community_score"})


def author_product_ids(user_ids):
    """The products these users reviewed (one query)."""
    from reviews.models import Review

    user_ids = [pk for pk in dict.fromkeys(user_ids) if pk is not None]
    if not user_ids:
        return []
    return list(Review.objects.filter(user_id__in=user_ids).values_list("product_id", flat=True).order_by().distinct())


def list_invalidate_for_authors(*, user_ids):
    """The review lists that show these users as authors (what ``AuthorOutput`` reads changed), once the
    change is committed: a page built before the new version is set then carries the old one and is not
    served, and a page built after it reads the committed rows. The products are looked up then (one query)."""
    user_ids = list(user_ids)
    transaction.on_commit(lambda: list_invalidate(product_ids=author_product_ids(user_ids)))


# --- The product page's questions and public journals ---------------------------------------------
# What the product page shows of questions, answers and public progress journals changes only with
# their own writes: creation, edits, moderation, answer votes and verification, deletion, weekly
# entries. Every save or deletion of those rows (``receivers``: model signals, so admin edits count
# too) and a journal's notes decision replace one *page content version*, shared by all products
# (these writes are rare next to page views), now and again after commit; the page's rendered
# questions and journals are cached under it (``reviews_widgets``).

PAGE_CONTENT_VERSION_KEY = "reviews:page-content-version:v1"


def page_content_version():
    version = cache.get(PAGE_CONTENT_VERSION_KEY)
    if version is None:
        cache.add(PAGE_CONTENT_VERSION_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(PAGE_CONTENT_VERSION_KEY)
    return version


def page_content_invalidate():
    """Orphan every cached rendering of the product pages' questions and journals, now and after commit."""

    def bump():
        cache.set(PAGE_CONTENT_VERSION_KEY, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)
