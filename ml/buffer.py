"""The event buffer: a list in the default cache (a Redis list in production, where RPUSH and
LRANGE+LTRIM in one transaction make it safe across workers; a process-local list under a lock
on the embedded locmem cache). Frequent events reach it in batches per process (``ProcessBatch``)."""

import atexit
import json
import logging
import os
import threading
import time

from django.core.cache import cache
from django.db import connections

from skincare import deferred

logger = logging.getLogger(__name__)

KEY = "ml:events:buffer"
_lock = threading.Lock()


def _redis():
    return deferred.redis_connection()


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
        return push_queue(conn, payload)
    with _lock:
        items = cache.get(KEY) or []
        items.extend(payload)
        cache.set(KEY, items, None)
        return len(items)


def push_queue(redis, encoded):
    """``RPUSH`` of ``encoded`` items on ``redis`` (a connection, or a pipeline that sends it later)."""
    return redis.rpush(cache.make_key(KEY), *encoded)


def drain(limit):
    """Remove and return up to ``limit`` events, oldest first."""
    conn = _redis()
    if conn is not None:
        key = cache.make_key(KEY)
        with conn.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, limit - 1)
            pipe.ltrim(key, limit, -1)
            raw, _ = pipe.execute()
        joined = b"[" + b",".join(raw) + b"]"
    else:
        with _lock:
            items = cache.get(KEY) or []
            raw, rest = items[:limit], items[limit:]
            cache.set(KEY, rest, None)
        joined = "[" + ",".join(raw) + "]"
    # One parse of the items as a JSON array: the values ``json.loads`` of each gives, without a call per item.
    return json.loads(joined)


def length():
    conn = _redis()
    if conn is not None:
        return conn.llen(cache.make_key(KEY))
    return len(cache.get(KEY) or [])


class ProcessBatch:
    """Encoded events of this process, handed to ``push`` (``services.events_record``) together: one ``RPUSH``
    per batch instead of one per event.

    A batch is pushed when ``size()`` events wait (by the request that adds the last one), every ``seconds()``
    (a daemon thread), before this process flushes the buffer (``services.events_flush``) and when the process
    exits normally (``atexit``: a gunicorn worker's SIGTERM, SIGQUIT, SIGINT, its timeout's SIGABRT, a
    ``max_requests`` restart). A hard kill (SIGKILL, the OOM killer) loses what waits here: at most ``size()``
    events, or ``seconds()`` of them. With ``size() <= 1`` each event is pushed at once, as before.

    Each event is pushed once: a batch is taken out under a lock, then pushed; pushes run one at a time, in the
    order the batches were taken. A forked child (a gunicorn worker) starts with an empty batch and a thread of
    its own (the pid is checked), so the parent's events are never pushed twice."""

    _starting = threading.Lock()

    def __init__(self, *, push, size, seconds):
        self._push, self._size, self._seconds = push, size, seconds
        self._pid = None
        self._items = []
        self._lock = threading.Lock()
        # Reentrant: a push that schedules an in-process flush (eager Celery) flushes this batch again (empty).
        self._pushing = threading.RLock()
        self._at_exit = False

    def add(self, encoded):
        if self._size() <= 1:
            self._push([encoded])
            return
        if self._pid != os.getpid():
            self._start()
        with self._lock:
            self._items.append(encoded)
            full = len(self._items) >= self._size()
        if full:
            self.flush()

    def flush(self):
        """Push what waits (nothing when the batch is empty)."""
        with self._pushing:
            with self._lock:
                items, self._items = self._items, []
            if items:
                self._push(items)

    def _start(self):
        with self._starting:
            if self._pid == os.getpid():
                return
            self._items, self._lock, self._pushing = [], threading.Lock(), threading.RLock()
            self._pid = os.getpid()
            threading.Thread(target=self._every, args=(self._pid,), name="analytics-batch", daemon=True).start()
            if not self._at_exit:  # inherited by forked children: one registration serves them all
                atexit.register(self.flush)
                self._at_exit = True

    def _every(self, pid):
        while self._pid == pid:
            time.sleep(self._seconds())
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the thread keeps running; the events are reported lost
                logger.warning("Analytics batch not pushed", exc_info=True)
            finally:
                connections.close_all()  # this thread's own, if a push wrote to the store directly
