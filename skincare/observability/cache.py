"""Cache backends that count reads as hits and misses (``cache_gets_total``); the Redis client also decodes
pickled values without first trying them as an integer."""

from contextlib import suppress

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django_redis.client import DefaultClient
from django_redis.exceptions import CompressorError

from skincare.observability.metrics import CACHE_GETS
from skincare.service_outage import RedisConnection

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
    """django-redis client (``OPTIONS.CLIENT_CLASS``) that counts reads. Its pools' connections to a plain
    ``redis://`` server are ``skincare.service_outage.RedisConnection``: not asked again for a while once Redis
    failed."""

    def __init__(self, server, params, backend):
        urls = [server] if isinstance(server, str) else list(server)
        options = params.get("OPTIONS", {})
        if all(url.startswith("redis://") for url in urls):  # rediss:// and unix:// keep their own classes
            pool_kwargs = {"connection_class": RedisConnection, **options.get("CONNECTION_POOL_KWARGS", {})}
            params = {**params, "OPTIONS": {**options, "CONNECTION_POOL_KWARGS": pool_kwargs}}
        super().__init__(server, params, backend)

    def get(self, key, default=None, version=None, client=None):
        value = super().get(key, _MISSING, version, client)
        _count("default", value is not _MISSING, value is _MISSING)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None, client=None):
        keys = list(keys)
        found = super().get_many(keys, version, client)
        _count("default", len(found), len(keys) - len(found))
        return found

    def decode(self, value):
        """django-redis's ``decode``, which first tries ``int(value)`` on every value: parsing a cached answer
        of 20 KB that way before it fails costs more than unpickling it. A value starting with a pickle's
        protocol byte (``\\x80``, never part of an integer's text) goes straight to the decompressor and the
        serializer, as django-redis's own fallback does; anything else is decoded by django-redis."""
        if isinstance(value, bytes) and value[:1] == b"\x80":
            with suppress(CompressorError):
                value = self._compressor.decompress(value)
            return self._serializer.loads(value)
        return super().decode(value)
