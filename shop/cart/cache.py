"""Cart lines cached in Redis (locmem in development) so reading a cart costs no line query.

The cache holds only ids and quantities; prices and stock are always read fresh. Every
change to a cart deletes the key right away and again after commit (a concurrent reader
cannot leave a stale copy behind).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from shop.cart.models import CartLine


def _key(cart_id):
    return f"cart:v1:{cart_id}"


def cart_lines_cached(cart_id):
    """[(line id, product id, variant id, quantity)] for the cart."""
    key = _key(cart_id)
    rows = cache.get(key)
    if rows is None:
        rows = list(CartLine.objects.filter(cart_id=cart_id).values_list("id", "product_id", "variant_id", "quantity"))
        cache.set(key, rows, timeout=settings.CART_TTL_DAYS * 24 * 3600)
    return rows


def cart_cache_invalidate(cart_id):
    key = _key(cart_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
