"""The event buffer: a list in the default cache (a Redis list in production, where RPUSH and
LRANGE+LTRIM in one transaction make it safe across workers; a process-local list under a lock
on the embedded locmem cache)."""

import json
import threading

from django.conf import settings
from django.core.cache import cache

KEY = "ml:events:buffer"
_lock = threading.Lock()


def _redis():
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def encode(events):
    """The buffer's items for ``events`` (JSON-able dicts), as ``push`` appends them."""
    return [json.dumps(event, separators=(",", ":")) for event in events]


def push(events=None, *, encoded=None):
    """Append events (JSON-able dicts, or ``encoded``: their items as ``encode`` makes them); returns the
    buffer's length afterwards."""
    payload = encode(events) if encoded is None else encoded
    if not payload:
        return length()
    conn = _redis()
    if conn is not None:
        return conn.rpush(cache.make_key(KEY), *payload)
    with _lock:
        items = cache.get(KEY) or []
        items.extend(payload)
        cache.set(KEY, items, None)
        return len(items)


def drain(limit):
    """Remove and return up to ``limit`` events, oldest first."""
    conn = _redis()
    if conn is not None:
        key = cache.make_key(KEY)
        with conn.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, limit - 1)
            pipe.ltrim(key, limit, -1)
            raw, _ = pipe.execute()
    else:
        with _lock:
            items = cache.get(KEY) or []
            raw, rest = items[:limit], items[limit:]
            cache.set(KEY, rest, None)
    return [json.loads(item) for item in raw]


def length():
    conn = _redis()
    if conn is not None:
        return conn.llen(cache.make_key(KEY))
    return len(cache.get(KEY) or [])
