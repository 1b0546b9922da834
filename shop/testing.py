"""Helpers shared by the tests of shop's apps (imported by tests only)."""

from django.core.cache import cache


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
