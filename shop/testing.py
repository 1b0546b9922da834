"""Helpers shared by the tests of shop's apps (imported by tests only)."""

import threading

from django.core.cache import cache
from django.db import connections


class ChangeBeforeStore:
    """The cache, except that ``change`` (another request's write) runs between this reader's row query
    and its ``set``: patched in as a module's ``cache``, it shows whether the reader stores stale rows."""

    def __init__(self, change):
        self.change = change

    def __getattr__(self, name):
        return getattr(cache, name)

    def set(self, *args, **kwargs):
        self.change()
        return cache.set(*args, **kwargs)


def at_once(calls, *, failed=repr):
    """Each of ``calls`` (no arguments) from its own thread at the same moment (a barrier), each thread
    with its own database connection, closed after: their results in order, ``failed(exception)`` for a
    call that raised (so the test's assertions report it)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[index] = failed(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
