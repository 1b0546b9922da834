"""Default API rate limits in one cache round trip per request.

DRF's ``SimpleRateThrottle`` keeps a list of every request time per client in the cache: a
``GET`` and a ``SET`` of the whole list on every request (two Redis round trips), and the list
grows with the rate (600 timestamps for ``600/min``). These classes count with a sliding-window
counter instead: one integer per client and window, the previous window's count weighted by how
much of it still overlaps the last ``duration`` seconds. With django-redis, ``INCR`` + ``EXPIRE``
of the current window and ``GET`` of the previous one go in one pipeline (one round trip); a
refused request is taken back with a ``DECR`` so refusals do not extend the wait. Other cache
backends (local memory, the embedded default) use the plain cache API.

Rates, scopes and cache keys (per user, or per client address behind ``NUM_PROXIES``) are DRF's.
"""

import logging
import math
import socket

from django.core.cache import cache as default_cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling

logger = logging.getLogger(__name__)

# What django-redis's IGNORE_EXCEPTIONS swallows for the cache API: Redis unreachable or too slow.
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError)


def _redis_client(cache):
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


class WindowCounterMixin:
    cache = default_cache

    def _count(self, current_key, previous_key, ttl):
        """Add this request to the current window; returns (current count, previous window's count)."""
        redis = _redis_client(self.cache)
        if redis is not None:
            current_raw = self.cache.make_key(current_key)
            pipe = redis.pipeline(transaction=False)
            pipe.incr(current_raw)
            pipe.expire(current_raw, ttl)
            pipe.get(self.cache.make_key(previous_key))
            try:
                current, _, previous = pipe.execute()
            except REDIS_DOWN:
                # Redis down: count nothing and let the request through, as the cache API does with
                # IGNORE_EXCEPTIONS (docs/operations.md, "Redis down"); the shop keeps answering.
                logger.warning("rate limit not counted: Redis unavailable", exc_info=True)
                return 1, 0
            return int(current), int(previous or 0)
        self.cache.add(current_key, 0, ttl)
        try:
            current = self.cache.incr(current_key)
        except ValueError:  # expired between add and incr
            self.cache.set(current_key, 1, ttl)
            current = 1
        return current, int(self.cache.get(previous_key) or 0)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        current_key = f"{self.key}:w{window}"
        current, previous = self._count(current_key, f"{self.key}:w{window - 1}", self.duration * 2 + 1)
        elapsed = self.now - window * self.duration
        remaining = self.duration - elapsed
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

    def wait(self):
        return max(1, math.ceil(getattr(self, "wait_seconds", 1)))


class AnonRateThrottle(WindowCounterMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(WindowCounterMixin, throttling.UserRateThrottle):
    pass
