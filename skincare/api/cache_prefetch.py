"""A cached answer in one round trip to Redis: the throttle reads the view's cache keys with its counters.

Every API request already goes to Redis once for its rate limits (``skincare.api.throttling``). A
view whose answer comes from the cache then went a second time for it. A view that knows, from the
request alone, which keys it is going to read declares them::

    class ProductListApi(...):
        def cache_prefetch_keys(self, request):
            return [VERSION_KEY, rendered_key(request, ...)]

        def list(self, request, *args, **kwargs):
            found = cache_prefetch.get_many(request, [VERSION_KEY, rendered_key(request, ...)])

``DefaultRateThrottle`` then reads those keys in the same script call that counts the request
(the values are read at that moment, as the view's own read would have been, a few microseconds
later), and ``get_many`` answers from them; any key it was not given is read from the cache as
before. Without Redis, with Redis down, for a view with other throttles, or a refused request,
nothing is prefetched and ``get_many`` is ``cache.get_many``. Reads answered this way are counted
as cache hits and misses in ``/metrics`` like any other.
"""

import logging

from django.core.cache import cache

from skincare.observability.cache import count_reads

logger = logging.getLogger(__name__)

_ATTRIBUTE = "_skincare_cache_prefetched"
_INCREMENTED = "_skincare_cache_incremented"


def keys_to_prefetch(request, view):
    """The cache keys ``view`` declared for this request (empty when it declares none)."""
    declare = getattr(view, "cache_prefetch_keys", None)
    if declare is None:
        return ()
    try:
        return list(declare(request))
    except Exception:  # noqa: BLE001 - a bad request the view refuses later; the view reads as usual
        logger.debug("cache prefetch skipped", exc_info=True)
        return ()


def keep(request, store, raw):
    """Keep the raw values read for ``request`` (``{key: bytes or None}``) for ``get_many``."""
    decoded = {key: store.client.decode(value) for key, value in raw.items() if value is not None}
    target = getattr(request, "_request", request)  # the Django request under DRF's
    setattr(target, _ATTRIBUTE, (frozenset(raw), decoded))


def get_many(request, keys):
    """``cache.get_many(keys)``, answered from the values prefetched for this request when it has them all."""
    target = getattr(request, "_request", request)
    prefetched = target.__dict__.pop(_ATTRIBUTE, None)  # used once: a second read goes to the cache
    keys = list(keys)
    if prefetched is None or not prefetched[0].issuperset(keys):
        return cache.get_many(keys)
    found = {key: prefetched[1][key] for key in keys if key in prefetched[1]}
    count_reads(hits=len(found), misses=len(keys) - len(found))
    return found


class JoinedIncr:
    """A counter to increment (``INCR``, no expiry: what ``cache.incr`` or else ``cache.add(key, 1,
    timeout=None)`` does) in the throttle's call, instead of a round trip of its own.

    A view that knows, before it runs, a count its answer will make (the product detail's view count)
    declares it with ``cache_prefetch_incr(request)``, which returns one of these. The throttle's script
    increments ``key`` only when the request is let through and ``guard_key`` exists (the cached answer the
    count goes with). ``incremented(request)`` then names the key: when it does not (no Redis, Redis down,
    a refused request, the guard gone), the view counts the usual way, so nothing is counted twice or lost.
    """

    def __init__(self, *, key, guard_key):
        self.key = key
        self.guard_key = guard_key

    def done(self, request, *, incremented):
        target = getattr(request, "_request", request)
        setattr(target, _INCREMENTED, self.key if incremented else None)


def incr_to_join(request, view):
    """The ``JoinedIncr`` that ``view`` declared for this request, or None."""
    declare = getattr(view, "cache_prefetch_incr", None)
    if declare is None:
        return None
    try:
        return declare(request)
    except Exception:  # noqa: BLE001 - the view counts as usual after answering
        logger.debug("joined increment skipped", exc_info=True)
        return None


def incremented(request):
    """The key this request's ``JoinedIncr`` incremented in the throttle's call, or None."""
    return getattr(getattr(request, "_request", request), _INCREMENTED, None)
