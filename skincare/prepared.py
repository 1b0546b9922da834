"""Hot statements prepared once per PostgreSQL connection (``DB_PREPARED_STATEMENTS``): the cart's reads
and locks, the order notices' reads in the worker, the rows a checkout inserts (``rows_insert``).

Django binds parameters client side and prepares nothing, so PostgreSQL parses and plans every statement
on every run. The cart's statements join seven to nine tables: planning them cost the server more CPU
than running them. A statement prepared with ``PREPARE`` on a connection is parsed once and planned once:
the connections run with ``plan_cache_mode = force_generic_plan`` (settings.py), as each statement here looks
rows up by primary or unique keys. With PostgreSQL's default (``auto``) a statement is planned for its values
on its first five runs, then keeps its generic plan only if that is estimated no dearer than the custom ones:
a checkout's ``rows_insert_under`` (``UNNEST`` of arrays whose length a generic plan guesses at ten) never was,
and was planned anew on every run (0.32 ms of the server's CPU per checkout, ``EXPLAIN (SUMMARY)``).

The ``PREPARE`` is sent on the connection itself, the first time a statement runs on it: it is part of
setting the connection up, like the time zone Django sets, and not a statement of the request (the query
counts stay those of the requests). Its name is made from its text, so that a name always means the
same statement. Prepared statements live as long as the connection and survive rollbacks; one dropped
behind our back (``DEALLOCATE``, ``DISCARD ALL``) is prepared again, outside a transaction.
"""

import hashlib
import re
import weakref
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, ProgrammingError, connections, models
from django.db.models.signals import post_save, pre_save
from psycopg.adapt import Transformer
from psycopg.types.json import Json, Jsonb

# {psycopg connection: names of the statements prepared on it}
_PREPARED = weakref.WeakKeyDictionary()
_NOT_PREPARED = "26000"  # invalid_sql_statement_name: "prepared statement … does not exist"


def numbered(sql):
    """``sql`` with its ``%s`` numbered ``$1``, ``$2``… in order (a prepared statement's parameters)."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return re.sub("%s", lambda _: f"${next(numbers)}", sql)


def numbered_count(sql):
    """How many parameters ``$1``, ``$2``… ``sql`` (as ``numbered`` writes it) has."""
    return max((int(number) for number in re.findall(r"\$(\d+)", sql)), default=0)


def prepared_statements(connection):
    """Whether hot statements are prepared on ``connection`` (PostgreSQL and the setting)."""
    return connection.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS


class Prepared:
    """``sql`` (its parameters ``$1``, ``$2``… of ``types``), run as a prepared statement: ``run(cursor,
    params)`` executes ``EXECUTE name(%s, …)`` with Django's cursor (counted, logged, wrapped as any
    statement), after ``PREPARE`` on the cursor's connection when it has not been prepared there."""

    __slots__ = ("name", "prepare", "execute")

    def __init__(self, label, sql, types):
        digest = hashlib.sha1(f"{types} {sql}".encode(), usedforsecurity=False).hexdigest()[:16]
        self.name = f"{label}_{digest}"
        declared = f"({', '.join(types)})" if types else ""  # none: PostgreSQL infers them from the statement
        self.prepare = f"PREPARE {self.name}{declared} AS {sql}"
        self.execute = f"EXECUTE {self.name}({', '.join(['%s'] * (len(types) if types else numbered_count(sql)))})"

    def run(self, cursor, params):
        raw = cursor.db.connection
        names = _PREPARED.setdefault(raw, set())
        if self.name not in names:
            raw.execute(self.prepare)
            names.add(self.name)
        sql = self.execute_sql(raw, params)
        try:
            cursor.execute(sql)
        except ProgrammingError as error:
            if getattr(error.__cause__, "sqlstate", None) != _NOT_PREPARED or cursor.db.in_atomic_block:
                raise
            raw.execute(self.prepare)  # dropped behind our back: once more, then run it
            cursor.execute(sql)

    def execute_sql(self, raw, params):
        """``EXECUTE name(…)`` with ``params`` quoted in it, as psycopg's client-side binding would (the
        statement Django runs then has no parameters). Why not leave that to psycopg: it splits a statement
        of more than 50 parameters (a checkout's ``rows_insert_under``) anew on every run, and quotes a list
        element by element in Python; each list here is sent as the text of an array literal (``_array``),
        which ``EXECUTE`` reads as the type the statement declares for it."""
        literal = Transformer.from_context(raw).as_literal
        quoted = []
        for value in params:
            if type(value) is list and (text := _array(value)) is not None:
                value = text
            quoted.append(literal(value) if value is not None else b"NULL")
        return f"EXECUTE {self.name}({b', '.join(quoted).decode(raw.info.encoding)})"


def _quoted_element(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _json_element(value):
    text = value.dumps(value.obj) if value.dumps is not None else None
    return _quoted_element(text) if type(text) is str else None


# The text of an array element of these exact types, as psycopg's text dumper of the type writes it
# (None: not one of them, psycopg quotes the whole list).
_ELEMENTS = {
    int: str,
    bool: lambda value: "t" if value else "f",
    str: _quoted_element,
    Decimal: lambda value: str(value) if value.is_finite() else None,
    datetime: lambda value: _quoted_element(str(value)),
    date: str,
    UUID: str,
    Jsonb: _json_element,
    Json: _json_element,
}


def _array(values):
    """The text of the PostgreSQL array literal of ``values`` (a list of ``get_db_prep_save`` values), or
    None when one of them is of a type not in ``_ELEMENTS`` (a ``str`` subclass, e.g. a ``TextChoices``
    member, counts as ``str``)."""
    elements = []
    for value in values:
        if value is None:
            elements.append("NULL")
            continue
        element = _ELEMENTS.get(type(value))
        if element is None:
            if not isinstance(value, str):
                return None
            element = _quoted_element
        if (text := element(value)) is None:
            return None
        elements.append(text)
    return "{" + ",".join(elements) + "}"


class _Insert:
    """The prepared ``INSERT``s of a model's rows (``rows_insert``): ``VALUES`` for one row, ``SELECT * FROM
    UNNEST`` of one array per column for several (any number, one statement). The columns are the
    ORM's insert writes (``Model._save_table`` / ``bulk_create``: every local concrete column but generated
    ones, the primary key left out when the database makes it), the columns it reads back (``RETURNING`` of
    ``db_returning_fields``) and their converters, built once per model from its fields."""

    __slots__ = ("fields", "returning", "converters", "one", "many")

    def __init__(self, model, connection, *, with_pk):
        meta, quote = model._meta, connection.ops.quote_name
        self.fields = [
            field
            for field in meta.local_concrete_fields
            if not field.generated and (with_pk or field is not meta.auto_field)
        ]
        self.returning = [] if with_pk else list(meta.db_returning_fields)
        self.converters = []
        for position, field in enumerate(self.returning):
            column = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((position, column, found))
        columns = ", ".join(quote(field.column) for field in self.fields)
        marks = ", ".join(f"${i}" for i in range(1, len(self.fields) + 1))
        returning = ""
        if self.returning:
            returning = f" RETURNING {', '.join(quote(field.column) for field in self.returning)}"
        table, types = quote(meta.db_table), [field.db_type(connection) for field in self.fields]
        # one row: its values; more: one array per column (any number of rows, one statement)
        self.one = Prepared(
            f"insert_{meta.db_table}",
            f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}",  # noqa: S608 - model names
            types,
        )
        self.many = Prepared(
            f"insert_{meta.db_table}",
            f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({marks}){returning}",  # noqa: S608 - model names
            [f"{db_type}[]" for db_type in types],
        )


_INSERTS = {}


def rows_insert(model, rows, *, signals):
    """Insert ``rows`` (unsaved instances of ``model``) as the ORM would, in one statement prepared once per
    connection (``prepared_statements``; elsewhere the ORM's own calls). ``signals``: what ``row.save(
    force_insert=True)`` (``objects.create``) does for each, ``pre_save`` and ``post_save`` sent; else what
    ``QuerySet(model).bulk_create(rows)`` does, no signals. The values are the ORM's: each field's ``pre_save``
    (``auto_now_add`` set here, row by row) and ``get_db_prep_save``; related rows' keys are taken as ``save``
    takes them (an unsaved one refused). Spared: compiling the ``INSERT`` and the server's parse and plan of
    it; and, for several rows, the ``BEGIN`` / ``COMMIT`` that ``bulk_create`` adds in autocommit (one
    statement is a transaction of its own). Returns ``rows``, saved (their database-made keys set)."""
    db = connections[DEFAULT_DB_ALIAS]
    if not rows:
        return rows
    if not prepared_statements(db):
        if signals:
            for row in rows:
                row.save(force_insert=True, using=db.alias)
            return rows
        return models.QuerySet(model).bulk_create(rows)
    meta = model._meta
    with_pk = rows[0].pk is not None
    if any((row.pk is not None) is not with_pk for row in rows):
        raise ValueError("rows_insert: every row has its primary key, or none has")
    insert = _INSERTS.get((model, with_pk))
    if insert is None:
        insert = _INSERTS[(model, with_pk)] = _Insert(model, db, with_pk=with_pk)
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="save" if signals else "bulk_create")
        if signals and not meta.auto_created:
            pre_save.send(sender=type(row), instance=row, raw=False, using=db.alias, update_fields=None)
    if len(rows) == 1:
        statement, params = (
            insert.one,
            [field.get_db_prep_save(field.pre_save(rows[0], True), db) for field in insert.fields],
        )
    else:
        statement = insert.many
        params = [[field.get_db_prep_save(field.pre_save(row, True), db) for row in rows] for field in insert.fields]
    with db.cursor() as cursor:
        statement.run(cursor, params)
        returned = cursor.fetchall() if insert.returning else [None] * len(rows)
    for row, values in zip(rows, returned, strict=True):
        if values is not None:
            values = list(values)
            for position, column, found in insert.converters:
                for converter in found:
                    values[position] = converter(values[position], column, db)
            for field, value in zip(insert.returning, values, strict=True):
                setattr(row, field.attname, value)
        row._state.adding = False
        row._state.db = db.alias
        if signals and not meta.auto_created:
            post_save.send(sender=type(row), instance=row, created=True, update_fields=None, raw=False, using=db.alias)
    return rows


def _parent_fields(model, row, parent):
    """The foreign keys of ``row`` (of ``model``) that hold ``parent`` (the instance itself)."""
    return tuple(
        field
        for field in model._meta.local_concrete_fields
        if field.is_relation and field.is_cached(row) and field.get_cached_value(row) is parent
    )


class _Under:
    """The prepared statement of ``rows_insert_under`` for one parent model and its children's shapes: the
    parent's ``INSERT`` (``VALUES``, its key read back), each group's ``INSERT ... SELECT`` of one array per
    column (``UNNEST``, any number of rows, in their order) with its keys to the parent read from the
    parent's ``RETURNING``, the ``also`` statements (``(sql, types)``), and one row of their keys (the
    parent's, an array per group)."""

    __slots__ = ("parent", "groups", "statement")

    def __init__(self, parent_model, shapes, connection, also=()):
        quote = connection.ops.quote_name
        self.parent = _Insert(parent_model, connection, with_pk=False)
        if [field.attname for field in self.parent.returning] != [parent_model._meta.pk.attname]:
            raise ValueError(f"rows_insert_under: {parent_model.__name__} reads back more than its key")
        pk = quote(parent_model._meta.pk.column)
        columns = ", ".join(quote(field.column) for field in self.parent.fields)
        sql = [f"WITH p AS (INSERT INTO {quote(parent_model._meta.db_table)} ({columns}) "]  # noqa: S608 - model names
        sql.append(f"VALUES ({', '.join(['%s'] * len(self.parent.fields))}) RETURNING {pk})")
        types = [field.db_type(connection) for field in self.parent.fields]
        parent_key = f"(SELECT {pk} FROM p)"  # noqa: S608 - model names
        self.groups, keys = [], [parent_key]
        for number, (model, with_pk, to_parent) in enumerate(shapes):
            insert = _Insert(model, connection, with_pk=with_pk)
            if any(field.attname != model._meta.pk.attname for field in insert.returning):
                raise ValueError(f"rows_insert_under: {model.__name__} reads back more than its key")
            arrays = [field for field in insert.fields if field not in to_parent]
            values = [parent_key if field in to_parent else f"v.v{arrays.index(field)}" for field in insert.fields]
            names = ", ".join([*(f"v{i}" for i in range(len(arrays))), "position"])
            returning = f" RETURNING {quote(model._meta.pk.column)}" if insert.returning else ""
            sql.append(
                f", g{number} AS (INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - model names
                f"({', '.join(quote(field.column) for field in insert.fields)}) SELECT {', '.join(values)} "
                f"FROM UNNEST({', '.join(['%s'] * len(arrays))}) WITH ORDINALITY AS v({names}) "
                f"ORDER BY v.position{returning})"
            )
            types += [f"{field.db_type(connection)}[]" for field in arrays]
            if insert.returning:
                column = quote(model._meta.pk.column)
                keys.append(f"(SELECT array_agg({column} ORDER BY {column}) FROM g{number})")  # noqa: S608
            else:
                keys.append("NULL")
            self.groups.append((insert, arrays))
        for number, (also_sql, also_types) in enumerate(also):
            sql.append(f", a{number} AS ({also_sql})")
            types += list(also_types)
        sql.append(f" SELECT {', '.join(keys)}")
        self.statement = Prepared(f"insert_{parent_model._meta.db_table}_under", numbered("".join(sql)), types)


_UNDERS = {}


def _saved(model, row, db, *, signals):
    row._state.adding = False
    row._state.db = db.alias
    if signals and not model._meta.auto_created:
        post_save.send(sender=model, instance=row, created=True, update_fields=None, raw=False, using=db.alias)


def rows_insert_under(parent, groups, *, also=()):
    """``rows_insert`` of ``parent`` (an unsaved instance, its key made by the database; ``signals``) then of
    each of ``groups`` (``(rows, signals)``: unsaved instances of one model, each holding ``parent`` in the
    same foreign keys), in one statement prepared once per connection where statements are prepared: the
    children's keys to the parent are read from the parent's ``INSERT``. The same rows, values and signals
    as those calls (``pre_save`` of each row before the statement, ``post_save`` after it); elsewhere those
    calls. Each model reads back its key only (no other database-made column). Returns ``parent``.

    ``also``: ``(sql, types, params)`` of statements that write other rows (``%s`` parameters of ``types``,
    nothing read back), run by the same statement as data-modifying ``WITH`` queries where statements are
    prepared (one round trip less each; they see the statement's snapshot, as the inserts do), elsewhere
    each by itself before the inserts. Their text should not depend on the number of rows they write
    (arrays, not one parameter a row): each text is another prepared statement."""
    db = connections[DEFAULT_DB_ALIAS]
    groups = [(rows, signals) for rows, signals in groups if rows]
    if not prepared_statements(db):
        if also:
            with db.cursor() as cursor:
                for sql, _, params in also:
                    cursor.execute(sql, params)
        rows_insert(type(parent), [parent], signals=True)
        for rows, signals in groups:
            rows_insert(type(rows[0]), rows, signals=signals)
        return parent
    shapes = []
    for rows, _ in groups:
        model = type(rows[0])
        with_pk = rows[0].pk is not None
        to_parent = _parent_fields(model, rows[0], parent)
        if not to_parent or any(
            (row.pk is not None) is not with_pk or _parent_fields(model, row, parent) != to_parent for row in rows
        ):
            raise ValueError("rows_insert_under: every row of a group holds the parent, and its key or none")
        shapes.append((model, with_pk, to_parent))
    also_shapes = tuple((sql, tuple(types)) for sql, types, _ in also)
    key = (type(parent), tuple(shapes), also_shapes)
    under = _UNDERS.get(key)
    if under is None:
        under = _UNDERS[key] = _Under(type(parent), tuple(shapes), db, also_shapes)
    parent._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=type(parent), instance=parent, raw=False, using=db.alias, update_fields=None)
    params = [field.get_db_prep_save(field.pre_save(parent, True), db) for field in under.parent.fields]
    for (rows, signals), (model, _, to_parent), (_, arrays) in zip(groups, shapes, under.groups, strict=True):
        others = [field for field in model._meta.concrete_fields if field not in to_parent]
        for row in rows:
            row._prepare_related_fields_for_save(operation_name="save" if signals else "bulk_create", fields=others)
            if signals and not model._meta.auto_created:
                pre_save.send(sender=model, instance=row, raw=False, using=db.alias, update_fields=None)
        params += [[field.get_db_prep_save(field.pre_save(row, True), db) for row in rows] for field in arrays]
    for _, _, also_params in also:
        params += also_params
    with db.cursor() as cursor:
        under.statement.run(cursor, params)
        parent_pk, *keys = cursor.fetchone()
    parent.pk = parent_pk
    _saved(type(parent), parent, db, signals=True)
    for (rows, signals), (model, _, to_parent), made in zip(groups, shapes, keys, strict=True):
        for position, row in enumerate(rows):
            for field in to_parent:
                setattr(row, field.name, parent)  # its key, and the instance kept as the related one
            if made is not None:
                row.pk = made[position]
            _saved(model, row, db, signals=signals)
    return parent
