"""Product list items by id, each cached on its own under the catalog list version.

A list page that is not cached yet (a new filter combination, a new search) used to load and
serialise every product of the page. Items are the same whatever page or filter shows them, so
each is cached once (``cache.product_list_item_key``): a page is a narrow query for its ids and
one multi-get for their items; only the missing items are loaded (2 queries: rows and primary
images) and stored. The key embeds the list version, so every write that refreshes list pages
(``cache.invalidate_product_lists``) refreshes the items too, with the same ``LIST_TIMEOUT``.
"""

from django.core.cache import cache

from shop.catalog import cache as catalog_cache
from shop.catalog import selectors
from shop.catalog.serializers import product_list_item


def product_list_items(product_ids, *, version=None):
    """The public list items of ``product_ids`` (active products), in that order.

    An id whose product is no longer active (changed since the ids were read) is left out.
    """
    if not product_ids:
        return []
    version = version or catalog_cache.product_list_version()
    keys = [catalog_cache.product_list_item_key(pk, version) for pk in product_ids]
    found = cache.get_many(keys)
    missing = [pk for pk, key in zip(product_ids, keys, strict=True) if key not in found]
    if missing:
        products = selectors.product_list_queryset().in_bulk(missing)
        built = {
            catalog_cache.product_list_item_key(pk, version): product_list_item(products[pk])
            for pk in missing
            if pk in products
        }
        if built:
            cache.set_many(built, catalog_cache.LIST_TIMEOUT)
        found.update(built)
    return [found[key] for key in keys if key in found]
