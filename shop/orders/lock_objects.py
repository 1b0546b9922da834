"""Every row lock the orders app takes, in one place.

Fixed order for any flow that needs several: cart -> order -> products (by pk) ->
variants (by pk) -> coupon -> payment. Users' counters are changed with ``UPDATE ... F()``
last. Concurrent checkouts of overlapping carts thus wait on each other instead of
deadlocking. ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway.
"""

import re
import threading
import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, OuterRef, Subquery, UUIDField
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

from shop.catalog.models import Product, ProductMedia, ProductVariant
from shop.orders.models import Order, Payment
from skincare.prepared import Prepared, prepared_statements


def products_lock(*, product_ids, primary_file=False):
    """{pk: Product} locked in pk order. ``primary_file``: each also carries ``primary_file_id``,
    the file of its primary image or None, read in the same statement (checkout copies it)."""
    if not product_ids:
        return {}

    def build(ids):
        qs = (
            Product.objects.select_for_update(of=("self",)).select_related("category").filter(pk__in=ids).order_by("pk")
        )
        if primary_file:
            primary = ProductMedia.objects.filter(product=OuterRef("pk"), is_primary=True).values("file_id")[:1]
            qs = qs.annotate(primary_file_id=Subquery(primary))
        return qs

    products = compiled_instances(f"products:{primary_file}", build, Product, sorted(product_ids))
    return {product.pk: product for product in products}


def variants_lock(*, variant_ids):
    if not variant_ids:
        return {}
    variants = compiled_instances(
        "variants",
        lambda ids: ProductVariant.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"),
        ProductVariant,
        sorted(variant_ids),
    )
    return {variant.pk: variant for variant in variants}


_compiled = threading.local()
_COMPILED_KEYS_MAX = 32  # statements for more ids than this are built each time (and not kept)


def _placeholders(fields):
    """One value per field, of its type, that no row has; they mark the keys among the parameters."""
    values = []
    for number, field in enumerate(fields):
        if isinstance(field, UUIDField):
            values.append(uuid.UUID(int=number + 1))
        elif isinstance(field, CharField):
            values.append(f"~compiled-placeholder-{number}~")
        else:
            values.append(-918_273_645_546_372_819 + number)
    return values


def compiled_instances(name, build, model, keys, *, key_fields=None):
    """``list(build(keys))`` for a queryset of ``model`` that uses each key once, as a parameter,
    without building and compiling it each time: each thread compiles ``build`` once per connection
    and number of keys for placeholders, then only swaps the keys in. ``key_fields``: the field each
    key is compared with (default: the primary key). The rows become instances as the ORM's own
    iterable makes them (``select_related`` rows and annotations included). ``select_for_update``
    keeps its check that it runs in a transaction."""
    connection = connections[DEFAULT_DB_ALIAS]
    if len(keys) > _COMPILED_KEYS_MAX:
        return list(build(keys))
    key_fields = key_fields or [model._meta.pk] * len(keys)
    memo = getattr(_compiled, "statements", None)
    if memo is None or memo[0] is not connection:
        memo = _compiled.statements = (connection, {})
    ready = memo[1].get((name, len(keys)))
    if ready is None:
        placeholders = _placeholders(key_fields)
        compiler = build(placeholders).query.get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        params = list(params)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [column[0] for column in select[: compiler.col_count]]
        ready = memo[1][(name, len(keys))] = (
            sql,
            params,
            [
                params.index(field.get_db_prep_value(value, connection))
                for field, value in zip(key_fields, placeholders, strict=True)
            ],
            compiler,
            compiler.get_converters(columns),
            (start, end, [column[0].target.attname for column in select[start:end]]),
            get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),
            tuple(compiler.annotation_col_map.items()),
            bool(compiler.query.select_for_update),
        )
    sql, params, indexes, compiler, converters, (start, end, names), populators, annotations, for_update = ready
    if for_update and connection.features.has_select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    params = list(params)
    for index, field, key in zip(indexes, key_fields, keys, strict=True):
        params[index] = field.get_db_prep_value(key, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    built = []
    for row in rows:
        instance = model.from_db(DEFAULT_DB_ALIAS, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for attribute, position in annotations:
            setattr(instance, attribute, row[position])
        built.append(instance)
    return built


def _row_lock(model, pk):
    """``model.objects.select_for_update(of=("self",)).get(pk=pk)``, compiled once (``compiled_instances``)."""
    rows = compiled_instances(
        model._meta.label, lambda keys: model.objects.select_for_update(of=("self",)).filter(pk=keys[0]), model, [pk]
    )
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return rows[0]


def order_lock(*, order_id):
    return _row_lock(Order, order_id)


def payment_lock(*, payment_id):
    return _row_lock(Payment, payment_id)


_returning = {}


def _returning_columns(model):
    """``model``'s concrete columns for ``RETURNING``, their attribute names and the converters the ORM
    applies to them when it reads a row (JSON text to Python, for one), built once per model."""
    ready = _returning.get(model)
    if ready is None:
        connection = connections[DEFAULT_DB_ALIAS]
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, column, found))
        ready = _returning[model] = (
            ", ".join(quote(field.column) for field in fields),
            [field.attname for field in fields],
            converters,
        )
    return ready


_updates = {}


def _row_update_statement(model, names, shape):
    """The ``UPDATE`` of ``row_update_if`` for these ``values`` names and ``where`` shape (``(name, number of
    allowed values)``): its text with ``%s``, the same prepared (``$1``… typed as the columns are), built once."""
    key = model, names, shape
    ready = _updates.get(key)
    if ready is None:
        connection = connections[DEFAULT_DB_ALIAS]
        meta, quote = model._meta, connection.ops.quote_name
        fields = [meta.get_field(name) for name in names]
        sets = [f"{quote(field.column)} = %s" for field in fields]
        types = [field.db_type(connection) for field in fields] + [meta.pk.db_type(connection)]
        conditions = [f"{quote(meta.pk.column)} = %s"]
        for name, count in shape:
            field = meta.get_field(name)
            conditions.append(f"{quote(field.column)} IN ({', '.join(['%s'] * count)})")
            types += [field.db_type(connection)] * count
        returning = _returning_columns(model)[0]
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608 - model names
            f"WHERE {' AND '.join(conditions)} RETURNING {returning}"
        )
        numbered = iter(range(1, len(types) + 1))
        statement = Prepared(f"update_{meta.db_table}", re.sub("%s", lambda _: f"${next(numbered)}", sql), types)
        ready = _updates[key] = (fields, sql, statement)
    return ready


def row_update_if(model, *, pk, values, where):
    """``UPDATE`` the row ``pk`` of ``model`` with ``values`` ({field name: value}) only while its columns
    hold ``where`` ({field name: value, or a tuple of allowed values}), returning it as an instance, or None
    when it did not match. One statement both takes the row lock and checks the state the lock would be
    taken to check (PostgreSQL re-reads the row after waiting for it), so a flow whose common case is a
    known state spares the ``SELECT ... FOR UPDATE`` and the ``save()`` after it. No ``save()`` signals:
    the caller sends what its receivers need. The statement is built once per shape of ``values`` and
    ``where``, and prepared once per connection where statements are (``skincare.prepared``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    where = {name: allowed if isinstance(allowed, tuple) else (allowed,) for name, allowed in where.items()}
    fields, sql, statement = _row_update_statement(
        model, tuple(values), tuple((name, len(allowed)) for name, allowed in where.items())
    )
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    for name, allowed in where.items():
        field = meta.get_field(name)
        params += [field.get_db_prep_value(value, connection) for value in allowed]
    _, names, converters = _returning_columns(model)
    with connection.cursor() as cursor:
        if prepared_statements(connection):
            statement.run(cursor, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, column, found in converters:
        for converter in found:
            row[position] = converter(row[position], column, connection)
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


def payments_lock(*, order_id):
    """The order's payments, locked in pk order (take the order lock first)."""
    return list(Payment.objects.select_for_update(of=("self",)).filter(order_id=order_id).order_by("pk"))


def guest_orders_lock(*, email):
    """The guest orders (no user) placed with ``email`` (any case), locked in pk order."""
    return list(
        Order.objects.select_for_update(of=("self",))
        .filter(user__isnull=True, customer_email__iexact=email)
        .order_by("pk")
    )
