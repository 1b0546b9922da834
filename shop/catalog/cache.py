"""Cached catalog payloads and their invalidation.

Only payloads that every shopper sees identically are cached: the category tree, the
brand list, the public product detail, and product list pages and their counts. Writes go
through ``services`` (and admin edits through ``signals``), which call the
``invalidate_*`` functions after commit.

List pages and counts cannot be deleted one by one (any filter combination may contain
the changed product), so their keys embed a *list version*: every product, category or
brand change replaces the version, which orphans all list entries at once (they expire
on their own after ``LIST_TIMEOUT``). The version is replaced both immediately and again
after commit, so a page rebuilt from the old rows while the write was in flight is not
served afterwards. Writes that bypass the catalog services and signals (bulk
``update()`` of ``stock_quantity``/``sales_count`` at checkout) should call
``invalidate_product_lists()``; until they do, ``LIST_TIMEOUT`` bounds the staleness.
"""

import contextlib
import contextvars
import hashlib
import uuid

from django.core.cache import cache, caches
from django.db import transaction
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from skincare import deferred

TIMEOUT = 60 * 60  # an hour; invalidation on change keeps them fresh
LIST_TIMEOUT = 60  # list pages/counts: bounded staleness for writes that skip invalidation
# A product's list item and its JSON: one entry per product that records the list version it was built
# under (a new version rebuilds it in place, so old versions leave nothing behind). An hour, as the detail
# payload: every write that changes what an item shows replaces the version; only writes that skip
# invalidation wait for it. With LIST_TIMEOUT every item was rebuilt once a minute, version or not.
ITEM_TIMEOUT = TIMEOUT

CATEGORY_TREE_KEY = "catalog:category-tree:v1"
BRANDS_KEY = "catalog:brands:v1"
# v2: products carry their ``size`` (payloads cached before it are not served).
LIST_VERSION_KEY = "catalog:list-version:v2"


def product_detail_key(product_id):
    return f"catalog:product:v2:{product_id}"


def product_slug_key(slug):
    return f"catalog:product-slug:v1:{slug}"


def product_rendered_key(product_id):
    """The product's rendered public detail answers, one per language and origin (``apis``)."""
    return f"catalog:product-rendered:v1:{product_id}"


# The list version a request already read (``at_list_version``), so that what depends on it is not read again.
_request_list_version = contextvars.ContextVar("catalog_list_version", default=None)


@contextlib.contextmanager
def at_list_version(version):
    """Within: ``product_list_version()`` is ``version`` (read by the caller with its answer), and the
    per-process copies kept while the version is unchanged (category nodes, the search vocabulary's
    index) are checked against it without reading it again."""
    token = _request_list_version.set(version)
    try:
        yield
    finally:
        _request_list_version.reset(token)


def known_list_version():
    """The list version given by ``at_list_version``, or None outside it."""
    return _request_list_version.get()


def product_list_version():
    """The current list version (created on first use; never expires, only replaced)."""
    version = _request_list_version.get()
    if version is not None:
        return version
    version = cache.get(LIST_VERSION_KEY)
    if version is None:
        cache.add(LIST_VERSION_KEY, uuid.uuid4().hex[:12], None)
        version = cache.get(LIST_VERSION_KEY)
    return version


def _query_digest(path, params):
    """A stable digest of ``path`` and the (already filtered) query parameters.

    ``params`` is an iterable of ``(name, [values])``; order of names does not matter,
    order of repeated values does (it is what the view sees).
    """
    canonical = path + "?" + "&".join(f"{name}={values!r}" for name, values in sorted(params))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def product_list_page_key(path, params, version=None):
    """Cache key of one rendered list page (``params`` must include page/per_page)."""
    return f"catalog:list-page:{version or product_list_version()}:{_query_digest(path, params)}"


def product_list_entry_key(kind, path, params):
    """Cache key of a list page (``kind`` "page", ``params`` with paging) or total ("count", without)
    whose value is ``(version, value)``: the version it was built under is checked on reading, so the
    entry is read in the same round trip as the version itself."""
    return f"catalog:list-{kind}:v3:{_query_digest(path, params)}"


def product_list_item_key(product_id):
    """Cache key of one product's public list item (``listing.product_list_items``), stored as
    ``(list version, item)``: an item of another version is rebuilt, as pages are."""
    return f"catalog:list-item:v2:{product_id}"


def product_list_fragment_key(product_id):
    """Cache key of one product's list item rendered as JSON (``listing.product_list_fragments``), stored as
    ``(list version, fragment)`` like the item."""
    return f"catalog:list-fragment:v2:{product_id}"


def product_list_count_key(path, params, version=None):
    """Cache key of the total of one filter combination (``params`` without paging)."""
    return f"catalog:list-count:{version or product_list_version()}:{_query_digest(path, params)}"


def set_many_expiring(groups, *, backend=None):
    """``cache.set_many(values, timeout)`` for each ``{timeout: values}`` of ``groups``: with Redis in one
    round trip (one pipeline), as ``set_many`` writes one group; errors as the cache's (ignored when the
    cache ignores them). The pipeline is not a transaction: the entries are independent (a reader checks
    each one's version), and ``MULTI``/``EXEC`` cost about a third of the write's CPU (two more replies)."""
    backend = backend or caches["default"]
    groups = {timeout: values for timeout, values in groups.items() if values}
    client = getattr(backend, "client", None)
    if len(groups) < 2 or not isinstance(client, DefaultClient):
        for timeout, values in groups.items():
            backend.set_many(values, timeout)
        return
    try:
        pipeline = client.get_client(write=True).pipeline(transaction=False)
        for timeout, values in groups.items():
            for key, value in values.items():
                client.set(key, value, timeout, client=pipeline)
        pipeline.execute()
    except (ConnectionInterrupted, RedisError, OSError):
        if not backend._ignore_exceptions:
            raise
        if backend._log_ignored_exceptions:
            backend.logger.exception("Exception ignored")


def get_or_set(key, build, timeout=TIMEOUT):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def _after_commit(func):
    transaction.on_commit(func)


def _new_list_version():
    cache.set(LIST_VERSION_KEY, uuid.uuid4().hex[:12], None)


def invalidate_product_lists():
    """Orphan every cached list page and count (now, and again after commit)."""
    _new_list_version()
    _after_commit(_new_list_version)


def invalidate_category_tree():
    # Product detail embeds the category path: a renamed category must refresh it too,
    # but categories change rarely, so dropping the tree is enough and details expire.
    _after_commit(lambda: cache.delete(CATEGORY_TREE_KEY))
    invalidate_product_lists()  # category filters and the embedded category


def invalidate_brands():
    _after_commit(lambda: cache.delete(BRANDS_KEY))
    invalidate_product_lists()  # the embedded brand


def _delete_committed(keys):
    """``cache.delete_many(keys)`` after a commit: in a checkout's ``skincare.deferred`` batch with the batch's other
    after-commit Redis writes, in one round trip."""
    made = [cache.make_key(key) for key in keys]
    deferred.redis_after_commit(lambda pipe: pipe.delete(*made), plain=lambda: cache.delete_many(keys))


def invalidate_products(product_ids, slugs=(), *, lists=True):
    """Drop the products' cached details; ``lists=False`` keeps list pages (they expire in a minute)
    for changes lists do not show, such as a stock count that stays above zero."""
    keys = [key for pk in product_ids for key in (product_detail_key(pk), product_rendered_key(pk))]
    keys += [product_slug_key(slug) for slug in slugs]
    if keys:
        _after_commit(lambda: _delete_committed(keys))
        if lists:
            invalidate_product_lists()
