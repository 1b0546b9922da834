"""Staff figures that survive an analytics-store outage.

Every successful read of a store-backed report is kept in the cache as the "last good" copy for
its parameters. When the store does not answer, staff get that copy flagged ``stale`` with the
time it was read (``as_of``), or, before any good read, an empty report flagged ``stale`` with
``as_of`` null. A staff screen never fails because the lake is down (no request answers 5xx),
and a stale figure is never passed off as a fresh one.
"""

import hashlib
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from ml.store import StoreError

logger = logging.getLogger(__name__)
PREFIX = "analytics:last-good:"


def _key(name, params):
    """The report's name and a digest of its parameters: any value (tuples, dates, spaces, long lists)
    gives a key every cache backend accepts."""
    text = "&".join(f"{k}={params[k]!r}" for k in sorted(params))
    return PREFIX + name + ":" + hashlib.sha256(text.encode()).hexdigest()


def read_or_last_good(name, read, *, empty, **params):
    """``read(**params)`` with ``{"stale": False, "as_of": now}`` added; on ``StoreError`` the last
    good copy (``stale: True``) or ``empty(**params)`` with ``as_of: None``."""
    key = _key(name, params)
    try:
        report = read(**params)
    except StoreError as exc:
        logger.warning("analytics store unavailable for %s (%s): serving the last good figures", name, exc)
        saved = cache.get(key)
        if saved is not None:
            return {**saved, "stale": True}
        return {**empty(**params), "stale": True, "as_of": None}
    fresh = {**report, "as_of": datetime.now(UTC)}
    cache.set(key, fresh, settings.ANALYTICS_LAST_GOOD_SECONDS)
    return {**fresh, "stale": False}
