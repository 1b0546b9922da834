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

import hashlib
import logging
import math
import os
import socket
import threading
from typing import NamedTuple

from django.core.cache import cache as default_cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
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
        return count_windows(self.cache, [(current_key, previous_key, ttl)]).counts[0]

    def _remaining(self):
        """Seconds left in the current window."""
        window_start = int(self.now // self.duration) * self.duration
        return self.duration - (self.now - window_start)

    def _gate(self):
        """``(remaining, duration, limit)``: what the script needs to tell, as ``_decide`` will, whether the
        request fits (``previous * remaining / duration + current <= limit``, the same arithmetic)."""
        return self._remaining(), self.duration, self.num_requests

    def _decide(self, current_key, current, previous):
        """Whether the counted request fits; a refused one is taken back and ``wait_seconds`` set."""
        remaining = self._remaining()
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


# One request counted in each window: INCR + EXPIRE of the current window, GET of the previous one; then, when
# a view joined a count to the call (``cache_prefetch.JoinedIncr``), INCR of its counter while the guard key
# exists, only if the request fits every window (the arithmetic of ``WindowCounterMixin._decide``, which still
# decides); then the values of the keys the view will read (``skincare.api.cache_prefetch``).
# KEYS: current, previous (per window); when incrementing: the counter and its guard key; then the prefetched
# keys. ARGV: the number of windows, each current window's expiry in seconds, 1 or 0 (an increment or not);
# when incrementing: per window its remaining seconds, duration and limit.
COUNT_WINDOWS_LUA = """
local windows = tonumber(ARGV[1])
local incrementing = ARGV[windows + 2] == '1'
local gates = windows + 3
local replies = {}
local fits = true
for w = 1, windows do
    local i = 2 * w - 1
    local current = redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], ARGV[w + 1])
    local previous = redis.call('GET', KEYS[i + 1]) or false
    replies[#replies + 1] = current
    replies[#replies + 1] = previous
    if incrementing then
        local g = gates + 3 * (w - 1)
        local seen = tonumber(previous) or 0
        if seen * tonumber(ARGV[g]) / tonumber(ARGV[g + 1]) + current > tonumber(ARGV[g + 2]) then
            fits = false
        end
    end
end
local first = 2 * windows + 1
if incrementing then
    local incremented = 0
    if fits and redis.call('EXISTS', KEYS[first + 1]) == 1 then
        redis.call('INCR', KEYS[first])
        incremented = 1
    end
    replies[#replies + 1] = incremented
    first = first + 2
end
for i = first, #KEYS do
    replies[#replies + 1] = redis.call('GET', KEYS[i]) or false
end
return replies
"""
# Redis names a loaded script by its SHA-1 (EVALSHA): an identifier, not a security measure.
COUNT_WINDOWS_SHA = hashlib.sha1(COUNT_WINDOWS_LUA.encode(), usedforsecurity=False).hexdigest()


_connections = threading.local()  # this thread's own connection for the script, per pool


def _connection(redis):
    """This thread's connection to ``redis`` for the throttle's script, made with the client's pool's
    settings but outside the pool (a pool's ``get_connection`` + ``release`` cost as much client CPU as
    the call itself). Outside, so that it never counts against the pool's ``max_connections``: a
    connection taken from the pool and kept would be counted for good, and threads that come and go
    would use the pool up ("Too many connections"), leaving requests uncounted."""
    pool = redis.connection_pool
    kept = getattr(_connections, "kept", None)
    if kept is None or kept[0] is not pool or kept[1] != os.getpid():  # new pool, or a forked worker
        if kept is not None and kept[1] == os.getpid():
            kept[2].disconnect()
        kept = _connections.kept = (pool, os.getpid(), pool.connection_class(**pool.connection_kwargs))
    return kept[2]


def _run_script(redis, keys, args):
    """``EVALSHA`` of ``COUNT_WINDOWS_LUA`` (``EVAL`` after a ``SCRIPT FLUSH``) on this thread's connection.

    redis-py's command path (``Script.__call__`` → ``execute_command`` → the pool: retry wrapper,
    observability hooks, a readiness poll) cost more client CPU than the rest of a cached answer's
    throttle; this sends the same command on a connection of its own. Any failure drops the connection
    (no reply is left unread); a broken one (Redis restarted) is replaced and the call tried once more,
    as redis-py's default retry does.
    """
    for attempt in (1, 2):
        connection = _connection(redis)
        try:
            try:
                connection.send_command("EVALSHA", COUNT_WINDOWS_SHA, len(keys), *keys, *args)
                return connection.read_response()
            except NoScriptError:
                connection.send_command("EVAL", COUNT_WINDOWS_LUA, len(keys), *keys, *args)
                return connection.read_response()
        except REDIS_DOWN:
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise


class Counted(NamedTuple):
    counts: list  # [(current, previous)] per window
    raw: dict | None = None  # the prefetched keys' raw values, when read with the counters
    incremented: int = 0  # 1 when a joined increment was made


def count_windows(cache, plans, prefetch=(), incr=None):
    """Count one request in each ``(current key, previous key, ttl)``: ``Counted.counts`` is
    ``[(current, previous)]``.

    With django-redis every window is counted by one script call: one round trip for all of them,
    and about half the client-side work of a pipeline of the same commands. The raw values of the
    cache keys in ``prefetch`` are read in the same call: ``Counted.raw`` is ``{key: raw value or
    None}`` (``None`` when they could not be read that way: no Redis, or Redis down). ``incr`` is
    ``(JoinedIncr, [gate of each plan])`` (``WindowCounterMixin._gate``): its counter is incremented in
    the same call when the request fits every window and the guard key exists; ``Counted.incremented``
    says whether it was (0 without Redis or with Redis down)."""
    redis = _redis_client(cache)
    if redis is not None:
        make_key = cache.make_key  # one look-up of the cache behind django's proxy, not one per key
        keys = [make_key(key) for current_key, previous_key, _ in plans for key in (current_key, previous_key)]
        args = [len(plans), *(ttl for _, _, ttl in plans), 1 if incr else 0]
        if incr:
            args += [repr(float(part)) if isinstance(part, float) else part for gate in incr[1] for part in gate]
            keys += [make_key(incr[0].key), make_key(incr[0].guard_key)]
        keys += [make_key(key) for key in prefetch]
        try:
            replies = _run_script(redis, keys, args)
        except REDIS_DOWN:
            # Redis down: count nothing and let the request through, as the cache API does with
            # IGNORE_EXCEPTIONS (docs/operations.md, "Redis down"); the shop keeps answering.
            logger.warning("rate limit not counted: Redis unavailable", exc_info=True)
            return Counted([(1, 0)] * len(plans))
        windows = 2 * len(plans)
        counts = [(int(replies[i]), int(replies[i + 1] or 0)) for i in range(0, windows, 2)]
        start = windows
        incremented = 0
        if incr:
            incremented = replies[start]
            start += 1
        raw = dict(zip(prefetch, (value or None for value in replies[start:]), strict=True)) if prefetch else None
        return Counted(counts, raw, incremented)
    counts = []
    for current_key, previous_key, ttl in plans:
        cache.add(current_key, 0, ttl)
        try:
            current = cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.set(current_key, 1, ttl)
            current = 1
        counts.append((current, int(cache.get(previous_key) or 0)))
    return Counted(counts)


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
            prefetch, bump = (), None
            if cache is default_cache:
                prefetch = cache_prefetch.keys_to_prefetch(request, view)
                # A joined write only when this call alone decides whether the request is let through.
                if _redis_client(cache) is not None and list(getattr(view, "throttle_classes", ())) == [type(self)]:
                    bump = cache_prefetch.incr_to_join(request, view)
            incr = (bump, [throttle._gate() for throttle, _ in planned]) if bump is not None else None
            counted = count_windows(cache, [plan for _, plan in planned], prefetch, incr)
            counts = counted.counts
            if counted.raw is not None:
                cache_prefetch.keep(request, cache, counted.raw)
            if bump is not None:
                bump.done(request, incremented=counted.incremented)
        self.refused = [
            throttle
            for (throttle, plan), (current, previous) in zip(planned, counts, strict=True)
            if not throttle._decide(plan[0], current, previous)
        ]
        return not self.refused

    def wait(self):
        return max(throttle.wait() for throttle in self.refused)
