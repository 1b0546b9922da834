"""A broker or Redis that has just failed is not asked again for a while.

A service that does not answer (its host gone, its name no longer resolving) holds each attempt for the
connection timeout, or for as long as the resolver takes: 2 to 4 s, and 10 s per attempt in the compose trial
(docs/operations.md). Every request that queues a task or reads the cache would wait that long, once per
call: pages took 30 s and gunicorn killed the worker. Once an attempt has failed, this process
answers the next ``SERVICE_DOWN_HOLD_SECONDS`` of them at once as if the service had refused (the task goes to
the outbox, the cache read misses); the first one after that asks the service again.
"""

import time

from django.conf import settings
from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class ServiceOutage:
    """This process's memory of one service's last failure."""

    def __init__(self, name):
        self.name = name
        self.until = 0.0

    def known(self):
        return time.monotonic() < self.until

    def seen(self):
        self.until = time.monotonic() + settings.SERVICE_DOWN_HOLD_SECONDS

    def reset(self):
        self.until = 0.0

    def not_asked(self):
        return f"{self.name} down: not asked again yet (SERVICE_DOWN_HOLD_SECONDS)"


broker_outage = ServiceOutage("broker")
redis_outage = ServiceOutage("Redis")


class RedisConnection(Connection):
    """redis-py's TCP connection (every client of the cache's pools: the cache API, throttles, the analytics
    buffer, the deferred batches) that fails at once while Redis is known to be down. The error is redis-py's own
    ``ConnectionError``, which django-redis turns into a cache miss and the direct callers already handle."""

    def connect_check_health(self, check_health=True, retry_socket_connect=True):
        if self._sock:
            return
        if redis_outage.known():
            raise RedisConnectionError(redis_outage.not_asked())
        try:
            super().connect_check_health(check_health=check_health, retry_socket_connect=retry_socket_connect)
        except (RedisConnectionError, RedisTimeoutError):
            redis_outage.seen()
            raise
