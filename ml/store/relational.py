"""Relational backend: one ``AnalyticsDocument`` row per document (JSONField), TTL emulated by
``purge_expired`` (the ``ml.purge_expired`` beat task)."""

import json

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from ml import lock_objects
from ml.models import AnalyticsDocument
from ml.store.base import AnalyticsStore, StoreError, validate_filter
from ml.store.collections import collection

# Names a JSON path part may not take: Django would read them as lookups.
RESERVED = {
    "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith", "istartswith",
    "endswith", "iendswith", "range", "isnull", "regex", "iregex", "contained_by", "has_key", "has_keys",
    "has_any_keys",
}  # fmt: skip
OPS = {"$gt": "gt", "$gte": "gte", "$lt": "lt", "$lte": "lte", "$in": "in"}


def _path(field):
    parts = field.split(".")
    if any(part in RESERVED or not part for part in parts):
        raise ValueError(f"Unsupported field name {field!r}")
    return "doc__" + "__".join(parts)


def _q(filters):
    validate_filter(filters)
    query = Q()
    for field, condition in (filters or {}).items():
        path = _path(field)
        if isinstance(condition, dict):
            for op, value in condition.items():
                if op == "$ne":
                    query &= ~Q(**{path: value}) | Q(**{f"{path}__isnull": True})
                else:
                    query &= Q(**{f"{path}__{OPS[op]}": list(value) if op == "$in" else value})
        else:
            query &= Q(**{path: condition})
    return query


def _live(name):
    return AnalyticsDocument.objects.filter(collection=collection(name).name).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def _bulk_sql():
    return connections[router.db_for_write(AnalyticsDocument)].vendor == "postgresql"


def _insert_json(name, keyed_documents, expires_at, *, upsert=False):
    """Insert (or, with ``upsert``, insert or replace by key) ``[key, document]`` pairs on PostgreSQL
    with one statement whose rows come from a single JSON parameter. ``bulk_create`` sends a
    ``jsonb[]`` array instead, which psycopg quotes item by item (a regex substitution per double
    quote of every document): about eight times the CPU of this for a flush of search events."""
    table = connections[router.db_for_write(AnalyticsDocument)].ops.quote_name(AnalyticsDocument._meta.db_table)
    conflict = " ON CONFLICT (collection, key) DO UPDATE SET doc = EXCLUDED.doc, expires_at = EXCLUDED.expires_at"
    sql = (
        f"INSERT INTO {table} (collection, key, doc, created_at, expires_at) "  # noqa: S608 - the model's table
        "SELECT %s, row->>0, row->1, %s, %s FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS t(row, n) "
        "ORDER BY n"  # ids in the order of the documents, as bulk_create gives them
    )
    params = [name, timezone.now(), expires_at, json.dumps(keyed_documents)]
    with connections[router.db_for_write(AnalyticsDocument)].cursor() as cursor:
        cursor.execute(sql + (conflict if upsert else ""), params)


class RelationalAnalyticsStore(AnalyticsStore):
    backend = "relational"

    def _run(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DatabaseError as exc:
            raise StoreError(str(exc)) from exc

    def insert_many(self, collection_name, documents, *, expires_at=None):
        name = collection(collection_name).name
        if _bulk_sql():
            documents = list(documents)
            if documents:
                self._run(_insert_json, name, [[None, doc] for doc in documents], expires_at)
            return len(documents)
        rows = [AnalyticsDocument(collection=name, doc=doc, expires_at=expires_at) for doc in documents]
        self._run(AnalyticsDocument.objects.bulk_create, rows, batch_size=500)
        return len(rows)

    def upsert(self, collection_name, key, document, *, expires_at=None):
        name = collection(collection_name).name
        self._run(
            AnalyticsDocument.objects.update_or_create,
            collection=name,
            key=str(key),
            defaults={"doc": document, "expires_at": expires_at},
        )

    def upsert_many(self, collection_name, keyed_documents, *, expires_at=None):
        name = collection(collection_name).name
        if _bulk_sql():
            latest = {str(key): doc for key, doc in keyed_documents}  # the last document of a key wins
            if latest:
                self._run(_insert_json, name, [[key, doc] for key, doc in latest.items()], expires_at, upsert=True)
            return len(latest)
        rows = {str(key): AnalyticsDocument(collection=name, key=str(key), doc=doc, expires_at=expires_at)
                for key, doc in keyed_documents}  # fmt: skip
        self._run(
            AnalyticsDocument.objects.bulk_create,
            list(rows.values()),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["collection", "key"],
            update_fields=["doc", "expires_at"],
        )
        return len(rows)

    def get(self, collection_name, key):
        row = self._run(_live(collection_name).filter(key=str(key)).values_list("doc", flat=True).first)
        return row

    def push(self, collection_name, key, field, items):
        name = collection(collection_name).name

        def apply():
            with transaction.atomic():
                row = lock_objects.analytics_document_for_update(collection=name, key=str(key)).first()
                if row is None or (row.expires_at and row.expires_at <= timezone.now()):
                    return False
                *parents, leaf = field.split(".")
                node = row.doc
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = [*node.get(leaf, []), *items]
                row.save(update_fields=["doc"])
                return True

        return self._run(apply)

    def find(self, collection_name, filters=None, *, sort=None, limit=None):
        order = [("-" if direction < 0 else "") + _path(field) for field, direction in (sort or [])]
        queryset = _live(collection_name).filter(_q(filters)).order_by(*order, "pk")
        if limit:
            queryset = queryset[:limit]
        return self._run(list, queryset.values_list("doc", flat=True))

    def count(self, collection_name, filters=None):
        return self._run(_live(collection_name).filter(_q(filters)).count)

    def delete(self, collection_name, filters=None):
        name = collection(collection_name).name
        deleted, _ = self._run(AnalyticsDocument.objects.filter(collection=name).filter(_q(filters)).delete)
        return deleted

    def purge_expired(self, *, now=None):
        deleted, _ = self._run(AnalyticsDocument.objects.filter(expires_at__lte=now or timezone.now()).delete)
        return deleted

    def ensure_indexes(self):
        """The table's indexes come with its migration."""

    def ping(self):
        self._run(AnalyticsDocument.objects.exists)
