"""Default API rate limits in one cache round trip per request.

DRF's ``SimpleRateThrottle`` keeps a list of every request time per client in the cache: a
``GET`` and a ``SET`` of the whole list on every request (two Redis round trips), and the list
grows with the rate (600 timestamps for ``600/min``). These classes count with a sliding-window
counter instead: one integer per client and window, the previous window's count weighted by how
much of it still overlaps the last ``duration`` seconds. With django-redis, ``INCR`` + ``EXPIRE``
of the current window and ``GET`` of the previous one go in one Lua script call (one round trip); a
refused request is taken back with a ``DECR`` so refusals do not extend the wait. Other cache
backends (local memory, the embedded default) use the plain cache API. The API's default throttle,
``DefaultRateThrottle``, counts the "anon" and "user" rates of a request in that one call.

Rates, scopes and cache keys (per user, or per client address behind ``NUM_PROXIES``) are DRF's.
"""

import logging
import math
import socket

from django.core.cache import cache as default_cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling

from skincare.api import cache_prefetch

logger = logging.getLogger(__name__)

# What django-redis's IGNORE_EXCEPTIONS swallows for the cache API: Redis unreachable or too slow.
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError)


def _redis_client(cache):
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


class WindowCounterMixin:
    cache = default_cache

    def _plan(self, request, view):
        """``(current window key, previous window key, ttl)`` of this request, or None when not limited."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        self.now = self.timer()
        window = int(self.now // self.duration)
        return f"{self.key}:w{window}", f"{self.key}:w{window - 1}", self.duration * 2 + 1

    def _count(self, current_key, previous_key, ttl):
        """Add this request to the current window; returns (current count, previous window's count)."""
        return count_windows(self.cache, [(current_key, previous_key, ttl)])[0]

    def _decide(self, current_key, current, previous):
        """Whether the counted request fits; a refused one is taken back and ``wait_seconds`` set."""
        window_start = int(self.now // self.duration) * self.duration
        remaining = self.duration - (self.now - window_start)
        if previous * remaining / self.duration + current <= self.num_requests:
            return True
        self.cache.decr(current_key)
        current -= 1
        # Seconds until one more request fits: the previous window's weight fades linearly.
        room = self.num_requests - current - 1
        if previous and room >= 0:
            self.wait_seconds = max(0.0, remaining - room * self.duration / previous)
        else:  # into the next window, until this window's weight has faded enough for one request
            self.wait_seconds = remaining + self.duration / self.num_requests
        return False

    def allow_request(self, request, view):
        plan = self._plan(request, view)
        if plan is None:
            return True
        current, previous = self._count(*plan)
        return self._decide(plan[0], current, previous)

    def wait(self):
        return max(1, math.ceil(getattr(self, "wait_seconds", 1)))


# One request counted in each window: INCR + EXPIRE of the current window, GET of the previous one;
# then the values of the keys the view will read (``skincare.api.cache_prefetch``), in the same call.
# KEYS: current, previous (per window), then the prefetched keys; ARGV: the number of windows, then
# each current window's expiry in seconds.
COUNT_WINDOWS_LUA = """
local windows = tonumber(ARGV[1])
local replies = {}
for i = 1, 2 * windows, 2 do
    replies[#replies + 1] = redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], ARGV[(i + 1) / 2 + 1])
    replies[#replies + 1] = redis.call('GET', KEYS[i + 1]) or false
end
for i = 2 * windows + 1, #KEYS do
    replies[#replies + 1] = redis.call('GET', KEYS[i]) or false
end
return replies
"""
_scripts = {}  # Redis client -> its registered script (redis-py loads it again after a SCRIPT FLUSH)


def count_windows(cache, plans, prefetch=()):
    """Count one request in each ``(current key, previous key, ttl)``: ``[(current, previous)]``.

    With django-redis every window is counted by one script call: one round trip for all of them,
    and about half the client-side work of a pipeline of the same commands. The raw values of the
    cache keys in ``prefetch`` are read in the same call and returned as well, in a second item:
    ``(counts, {key: raw value or None})`` when ``prefetch`` is given (``None`` for the values when
    they could not be read that way: no Redis, or Redis down)."""
    redis = _redis_client(cache)
    if redis is not None:
        script = _scripts.get(redis)
        if script is None:
            script = _scripts[redis] = redis.register_script(COUNT_WINDOWS_LUA)
        keys = [cache.make_key(key) for current_key, previous_key, _ in plans for key in (current_key, previous_key)]
        keys += [cache.make_key(key) for key in prefetch]
        try:
            replies = script(keys=keys, args=[len(plans), *(ttl for _, _, ttl in plans)])
        except REDIS_DOWN:
            # Redis down: count nothing and let the request through, as the cache API does with
            # IGNORE_EXCEPTIONS (docs/operations.md, "Redis down"); the shop keeps answering.
            logger.warning("rate limit not counted: Redis unavailable", exc_info=True)
            counts = [(1, 0)] * len(plans)
            return (counts, None) if prefetch else counts
        windows = 2 * len(plans)
        counts = [(int(replies[i]), int(replies[i + 1] or 0)) for i in range(0, windows, 2)]
        if prefetch:
            return counts, dict(zip(prefetch, (value or None for value in replies[windows:]), strict=True))
        return counts
    counts = []
    for current_key, previous_key, ttl in plans:
        cache.add(current_key, 0, ttl)
        try:
            current = cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.set(current_key, 1, ttl)
            current = 1
        counts.append((current, int(cache.get(previous_key) or 0)))
    return (counts, None) if prefetch else counts


class AnonRateThrottle(WindowCounterMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(WindowCounterMixin, throttling.UserRateThrottle):
    pass


class DefaultRateThrottle(throttling.BaseThrottle):
    """``AnonRateThrottle`` and ``UserRateThrottle`` (the API's defaults) counted in one round trip.

    DRF runs each throttle class on its own: two round trips per request, since an anonymous client
    is counted under both the "anon" and the "user" rate (by address). This one counts the same
    windows under the same keys and rates in one script call, and with them reads the cache keys the
    view says it will read (``skincare.api.cache_prefetch``), so that a cached answer costs one round
    trip to Redis in all. It refuses when either rate is exceeded
    (each refusal taken back as before) and answers the longer of their waits, as DRF does.
    """

    parts = (AnonRateThrottle, UserRateThrottle)

    def __init__(self):
        self.throttles = [cls() for cls in self.parts]
        self.refused = []

    def allow_request(self, request, view):
        planned = [(throttle, throttle._plan(request, view)) for throttle in self.throttles]
        planned = [(throttle, plan) for throttle, plan in planned if plan is not None]
        if not planned:
            return True
        cache = planned[0][0].cache
        if any(throttle.cache is not cache for throttle, _ in planned):  # not one store: one at a time
            counts = [throttle._count(*plan) for throttle, plan in planned]
        else:
            prefetch = cache_prefetch.keys_to_prefetch(request, view) if cache is default_cache else ()
            if prefetch:
                counts, raw = count_windows(cache, [plan for _, plan in planned], prefetch)
                if raw is not None:
                    cache_prefetch.keep(request, cache, raw)
            else:
                counts = count_windows(cache, [plan for _, plan in planned])
        self.refused = [
            throttle
            for (throttle, plan), (current, previous) in zip(planned, counts, strict=True)
            if not throttle._decide(plan[0], current, previous)
        ]
        return not self.refused

    def wait(self):
        return max(throttle.wait() for throttle in self.refused)
