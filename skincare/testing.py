"""Test helpers shared by the apps' tests (importable from any app: ``skincare`` is the lowest)."""

from unittest import mock

import pytest
from django.core.cache import cache


def redis_only():
    """Skip the calling test unless the cache is django-redis (``REDIS_URL`` set)."""
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        pytest.skip("the prefetch needs the Redis cache (REDIS_URL)")


def round_trips():
    """``(sent, patch)``: inside ``patch`` every command (or pipeline) redis-py sends is appended to ``sent``,
    one entry per round trip."""
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    return sent, mock.patch.object(AbstractConnection, "send_packed_command", counting)
