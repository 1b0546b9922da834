"""Redis that does not answer is asked once per hold, not by every cache read (skincare/service_outage.py)."""

import time

import pytest
from django_redis.cache import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from skincare import service_outage
from skincare.testing import SilentServer


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(service_outage.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def silent_redis(settings):
    """The cache as settings.py builds it (django-redis with our client, misses on errors), on a Redis node that
    takes connections and never answers."""
    settings.SERVICE_DOWN_HOLD_SECONDS = 15
    server = SilentServer()
    cache = RedisCache(
        f"redis://127.0.0.1:{server.port}/0",
        {
            "OPTIONS": {
                "CLIENT_CLASS": "skincare.observability.cache.RedisClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            }
        },
    )
    yield server, cache
    server.close()


def test_after_one_wait_cache_reads_miss_at_once_until_the_hold_is_over(silent_redis, clock):
    server, cache = silent_redis

    started = time.perf_counter()
    assert cache.get("a", "missed") == "missed"
    assert time.perf_counter() - started >= 0.5  # the first read waited for Redis (and its retries did not)
    assert server.connections == 1

    started = time.perf_counter()
    for key in ("b", "c", "d"):
        assert cache.get(key, "missed") == "missed"
    cache.set("e", 1)  # a write is skipped the same way
    assert time.perf_counter() - started < 0.5
    assert server.connections == 1  # not asked again

    clock[0] += 15
    assert cache.get("f", "missed") == "missed"
    assert server.connections == 2  # the hold is over: asked again


def test_direct_redis_callers_get_redis_pys_own_error_at_once(silent_redis, clock):
    """The analytics buffer, the deferred batches and the throttles use the pool's client directly and handle
    ``redis.exceptions.ConnectionError``; that is what they get while Redis is known to be down."""
    server, cache = silent_redis
    cache.get("a")  # the one wait
    client = cache.client.get_client()

    started = time.perf_counter()
    with pytest.raises(RedisConnectionError, match="not asked again"):
        client.get("b")
    assert time.perf_counter() - started < 0.5
    assert server.connections == 1


def test_tls_urls_keep_their_own_connection_class():
    from redis.connection import SSLConnection

    from skincare.service_outage import RedisConnection

    server = SilentServer()  # a port of its own: django-redis keeps one pool per URL for the whole process
    options = {"OPTIONS": {"CLIENT_CLASS": "skincare.observability.cache.RedisClient"}}
    try:
        plain = RedisCache(f"redis://127.0.0.1:{server.port}/0", options)
        tls = RedisCache(f"rediss://127.0.0.1:{server.port}/0", options)
        assert plain.client.get_client().connection_pool.connection_class is RedisConnection
        assert tls.client.get_client().connection_pool.connection_class is SSLConnection
    finally:
        server.close()
