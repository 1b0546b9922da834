"""Cart lines cached in Redis (locmem in development) so reading a cart costs no line query.

The cache holds only ids and quantities; prices and stock are always read fresh. Entries
are keyed by a per-cart version that every change bumps, right away and again after
commit. A reader takes the version before it reads the rows, so a reader that read the
rows before a commit can only store them under a version nobody reads any more (deleting
the key instead left a window: read old rows, writer commits and deletes, reader stores).
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from shop.cart.models import CartLine
from skincare import deferred


def _version_key(cart_id):
    return f"cart:v2:{cart_id}:version"


def _version(cart_id):
    key = _version_key(cart_id)
    version = cache.get(key)
    if version is None:
        # Never restart from a number an old entry may still be stored under.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def cart_lines_cached(cart_id):
    """[(line id, product id, variant id, quantity)] for the cart."""
    key = f"cart:v2:{cart_id}:{_version(cart_id)}"
    rows = cache.get(key)
    if rows is None:
        rows = list(CartLine.objects.filter(cart_id=cart_id).values_list("id", "product_id", "variant_id", "quantity"))
        cache.set(key, rows, timeout=settings.CART_TTL_DAYS * 24 * 3600)
    return rows


def _bump(cart_id, *, after_commit=False):
    """A new version for the cart; ``after_commit`` (called from an ``on_commit`` callback): in a checkout's
    ``skincare.deferred`` batch it goes with the batch's other after-commit Redis writes, in one round trip."""
    key = _version_key(cart_id)
    if after_commit:
        made = cache.make_key(key)
        deferred.redis_after_commit(
            # no version yet (or evicted): from the clock, as below (then one more)
            lambda pipe: (pipe.set(made, time.time_ns(), nx=True), pipe.incr(made)),
            plain=lambda: _incr(key),
        )
    else:
        _incr(key)


def _incr(key):
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or evicted)
        cache.add(key, time.time_ns(), timeout=None)


def cart_cache_invalidate(cart_id, *, no_read_before_commit=False):
    """Bump the cart's version after commit, and now too when a read of the lines may still follow
    in the same transaction (it would find the entry stored before the change).

    ``no_read_before_commit``: the caller's atomic block reads no cart lines through the cache after
    this call (an addition whose block ends right after it; checkout, which reads the lines once,
    before). When that block is the outermost, nothing can read before the commit, so the bump after
    it is the only one (a Redis round trip less); inside an outer transaction (a larger flow, tests)
    it bumps now as well.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the change is committed already
        _bump(cart_id)
        return
    transaction.on_commit(lambda: _bump(cart_id, after_commit=True))
    if not (no_read_before_commit and len(connection.atomic_blocks) == 1):
        _bump(cart_id)
