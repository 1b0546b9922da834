"""Cache backends that count reads as hits and misses (``cache_gets_total``), nothing else changed."""

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django_redis.client import DefaultClient

from skincare.observability.metrics import CACHE_GETS

_MISSING = object()


def count_reads(*, hits, misses, alias="default"):
    """Count reads answered without the cache API (``skincare.api.cache_prefetch``)."""
    _count(alias, hits, misses)


def _count(alias, hits, misses):
    if hits:
        CACHE_GETS.labels(alias, "hit").inc(hits)
    if misses:
        CACHE_GETS.labels(alias, "miss").inc(misses)


class LocMemCache(DjangoLocMemCache):
    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        _count("default", value is not _MISSING, value is _MISSING)
        return default if value is _MISSING else value

    # get_many: Django's calls get() per key, so each is counted there.


class RedisClient(DefaultClient):
    """django-redis client (``OPTIONS.CLIENT_CLASS``) that counts reads."""

    def get(self, key, default=None, version=None, client=None):
        value = super().get(key, _MISSING, version, client)
        _count("default", value is not _MISSING, value is _MISSING)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None, client=None):
        keys = list(keys)
        found = super().get_many(keys, version, client)
        _count("default", len(found), len(keys) - len(found))
        return found
