"""Test helpers shared by the apps' tests (importable from any app: ``skincare`` is the lowest)."""

from contextlib import suppress
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


class SilentServer:
    """A TCP server that takes every connection and never says a word: a hung broker or Redis node, or a
    black-holed address. ``connections`` counts the connections it was asked for."""

    def __init__(self):
        import socket
        import threading

        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self._held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self._held.append(self._server.accept()[0])
            except OSError:  # closed
                return

    @property
    def connections(self):
        return len(self._held)

    def close(self):
        import socket

        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self._server.close()
        for connection in self._held:
            connection.close()
