"""Cached catalog payloads and their invalidation.

Only payloads that every shopper sees identically are cached: the category tree, the
brand list and the public product detail. Writes go through ``services`` (and admin
edits through ``signals``), which call the ``invalidate_*`` functions after commit.
"""

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 60 * 60  # an hour; invalidation on change keeps them fresh

CATEGORY_TREE_KEY = "catalog:category-tree:v1"
BRANDS_KEY = "catalog:brands:v1"


def product_detail_key(product_id):
    return f"catalog:product:v1:{product_id}"


def product_slug_key(slug):
    return f"catalog:product-slug:v1:{slug}"


def get_or_set(key, build, timeout=TIMEOUT):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def _after_commit(func):
    transaction.on_commit(func)


def invalidate_category_tree():
    # Product detail embeds the category path: a renamed category must refresh it too,
    # but categories change rarely, so dropping the tree is enough and details expire.
    _after_commit(lambda: cache.delete(CATEGORY_TREE_KEY))


def invalidate_brands():
    _after_commit(lambda: cache.delete(BRANDS_KEY))


def invalidate_products(product_ids, slugs=()):
    keys = [product_detail_key(pk) for pk in product_ids] + [product_slug_key(slug) for slug in slugs]
    if keys:
        _after_commit(lambda: cache.delete_many(keys))
