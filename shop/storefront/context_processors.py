"""What every shop page's header needs. The values are lazy: a page that does not show the
header (the admin, an e-mail) runs no query for them. ``list_version`` (the catalog's list
version, read once per request) keys the cached fragments that show catalog lists."""

from django.utils.functional import SimpleLazyObject

from shop.catalog import cache as catalog_cache
from shop.storefront import selectors


def storefront(request):
    return {
        "menu_categories": SimpleLazyObject(selectors.menu_categories),
        "cart_count": SimpleLazyObject(lambda: selectors.cart_item_count(request=request)),
        "list_version": SimpleLazyObject(lambda: selectors.list_version(request=request)),
        "list_timeout": catalog_cache.LIST_TIMEOUT,
    }
