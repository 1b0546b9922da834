from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """Frozen time: ``clock.set(datetime)`` fixes ``timezone.now()``; ``clock.move(**delta)`` moves it."""

    class Clock:
        now = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)

        def set(self, moment):
            self.now = moment

        def move(self, **delta):
            self.now += timedelta(**delta)

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen
