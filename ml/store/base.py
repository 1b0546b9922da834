"""The analytics store contract, shared by the MongoDB and the relational backend.

Documents are JSON values (str, int, float, bool, None, lists and dicts); dates are written as
ISO-8601 UTC strings by the callers (``ml.store.iso``) so both backends hold and return the same
document. Two fields are managed by the store:

- ``key``: an optional string unique within a collection; ``upsert`` replaces the document with
  that key (the ETL jobs write by key, which makes them idempotent). Not part of the document.
- ``expires_at``: an optional aware datetime; an expired document is never returned, and is
  deleted by MongoDB's TTL monitor or by ``purge_expired``. Not part of the document either.

Filters are a small subset of MongoDB's: ``{"field": value}``, ``{"a.b": value}`` and the
operators ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$in``, ``$ne``; sort is a list of
``(field, 1 | -1)``.
"""

import abc
from datetime import UTC, datetime

OPERATORS = {"$gt", "$gte", "$lt", "$lte", "$in", "$ne"}


class StoreError(Exception):
    """The store is unreachable or refused a write."""


def iso(value):
    """An aware datetime or a date as the ISO string documents hold (UTC, milliseconds)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.isoformat()


def validate_filter(filters):
    for field, condition in (filters or {}).items():
        if field.startswith("$") or not field:
            raise ValueError(f"Unsupported filter field {field!r}")
        if isinstance(condition, dict):
            unknown = set(condition) - OPERATORS
            if unknown:
                raise ValueError(f"Unsupported filter operators {sorted(unknown)}")


class AnalyticsStore(abc.ABC):
    backend = ""

    @abc.abstractmethod
    def insert_many(self, collection, documents, *, expires_at=None):
        """Append documents (without keys); returns how many were written."""

    @abc.abstractmethod
    def upsert(self, collection, key, document, *, expires_at=None):
        """Write ``document`` under ``key``, replacing what was there."""

    def upsert_many(self, collection, keyed_documents, *, expires_at=None):
        """``keyed_documents``: iterable of ``(key, document)``; returns how many."""
        count = 0
        for key, document in keyed_documents:
            self.upsert(collection, key, document, expires_at=expires_at)
            count += 1
        return count

    @abc.abstractmethod
    def get(self, collection, key):
        """The document under ``key`` or None."""

    @abc.abstractmethod
    def push(self, collection, key, field, items):
        """Append ``items`` to the list ``field`` (dotted path allowed) of the document under ``key``;
        returns False when there is no such document."""

    @abc.abstractmethod
    def find(self, collection, filters=None, *, sort=None, limit=None):
        """Matching unexpired documents, as written."""

    @abc.abstractmethod
    def count(self, collection, filters=None):
        """How many unexpired documents match."""

    @abc.abstractmethod
    def delete(self, collection, filters=None):
        """Delete matching documents; returns how many."""

    @abc.abstractmethod
    def purge_expired(self, *, now=None):
        """Delete every expired document of every collection; returns how many."""

    @abc.abstractmethod
    def ensure_indexes(self):
        """Create the indexes (and TTL indexes) of every collection; idempotent."""

    @abc.abstractmethod
    def ping(self):
        """Raise when the store cannot be reached."""
