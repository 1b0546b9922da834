"""Every row lock the orders app takes, in one place.

Fixed order for any flow that needs several: cart -> order -> products (by pk) ->
variants (by pk) -> coupon -> payment. Users' counters are changed with ``UPDATE ... F()``
last. Concurrent checkouts of overlapping carts thus wait on each other instead of
deadlocking. ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway.
"""

import threading
import uuid

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.db.models import CharField, OuterRef, Subquery, UUIDField
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

from shop.catalog.models import Product, ProductMedia, ProductVariant
from shop.orders.models import Order, OrderEvent, OrderEventType, Payment
from skincare.prepared import Prepared, numbered, prepared_statements


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
    keeps its check that it runs in a transaction. Where statements are prepared
    (``skincare.prepared``) the compiled statement is, with the types PostgreSQL infers for its
    parameters: it is parsed and planned once per connection, not on every run."""
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
            # "%%" is a literal "%" of the text, not a parameter: such a statement is not numbered, not prepared
            Prepared(f"compiled_{model._meta.db_table}", numbered(sql), None)
            if connection.vendor == "postgresql" and "%%" not in sql
            else None,
        )
    sql, params, indexes, compiler, converters, (start, end, names), populators, annotations, for_update, statement = (
        ready
    )
    if for_update and connection.features.has_select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    params = list(params)
    for index, field, key in zip(indexes, key_fields, keys, strict=True):
        params[index] = field.get_db_prep_value(key, connection)
    with connection.cursor() as cursor:
        if statement is not None and prepared_statements(connection):
            statement.run(cursor, params)
        else:
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


def _row_update_statement(model, names, shape, *, guard=""):
    """The ``UPDATE`` of ``row_update_if`` for these ``values`` names and ``where`` shape (``(name, number of
    allowed values)``): its fields, its text with ``%s``, its parameters' types, and the same prepared
    (``$1``… typed as the columns are), built once. ``guard``: one more condition, without parameters."""
    key = model, names, shape, guard
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
        if guard:
            conditions.append(guard)
        returning = _returning_columns(model)[0]
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608 - model names
            f"WHERE {' AND '.join(conditions)} RETURNING {returning}"
        )
        statement = Prepared(f"update_{meta.db_table}", numbered(sql), types)
        ready = _updates[key] = (fields, sql, types, statement)
    return ready


def _row_update(model, *, pk, values, where, guard=""):
    """``row_update_if``'s statement for these arguments and its parameters: ``(sql, types, statement, params)``."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    where = {name: allowed if isinstance(allowed, tuple) else (allowed,) for name, allowed in where.items()}
    fields, sql, types, statement = _row_update_statement(
        model, tuple(values), tuple((name, len(allowed)) for name, allowed in where.items()), guard=guard
    )
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    for name, allowed in where.items():
        field = meta.get_field(name)
        params += [field.get_db_prep_value(value, connection) for value in allowed]
    return sql, types, statement, params


def _returned_instance(model, row):
    """An instance of ``model`` from its ``_returning_columns`` as a statement returned them."""
    connection = connections[DEFAULT_DB_ALIAS]
    _, names, converters = _returning_columns(model)
    row = list(row)
    for position, column, found in converters:
        for converter in found:
            row[position] = converter(row[position], column, connection)
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


def row_update_if(model, *, pk, values, where):
    """``UPDATE`` the row ``pk`` of ``model`` with ``values`` ({field name: value}) only while its columns
    hold ``where`` ({field name: value, or a tuple of allowed values}), returning it as an instance, or None
    when it did not match. One statement both takes the row lock and checks the state the lock would be
    taken to check (PostgreSQL re-reads the row after waiting for it), so a flow whose common case is a
    known state spares the ``SELECT ... FOR UPDATE`` and the ``save()`` after it. No ``save()`` signals:
    the caller sends what its receivers need. The statement is built once per shape of ``values`` and
    ``where``, and prepared once per connection where statements are (``skincare.prepared``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, _, statement, params = _row_update(model, pk=pk, values=values, where=where)
    with connection.cursor() as cursor:
        if prepared_statements(connection):
            statement.run(cursor, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _returned_instance(model, row)


class PaymentNotMatched(Exception):  # noqa: N818 - an outcome of ``order_paid_if``, not an error
    """``order_paid_if``: the order was in its state, the payment not in its: nothing was written."""


_NOT_NULL = "23502"  # not_null_violation
_paid_statements = {}


def _order_paid_statement(order_update, payment_update):
    """``order_paid_if``'s statement for these two ``_row_update`` statements: its text with ``%s`` (the
    order's parameters, the payment's, then one array per event column), the same prepared, built once."""
    key = order_update, payment_update
    ready = _paid_statements.get(key)
    if ready is None:
        connection = connections[DEFAULT_DB_ALIAS]
        quote = connection.ops.quote_name
        fields = {field.name: field for field in OrderEvent._meta.local_concrete_fields}
        arrays = [fields[name] for name in ("type", "user", "data", "created_at")]
        (order_sql, order_types), (payment_sql, payment_types) = order_update, payment_update
        # The order's column comes from the payment's row: with the payment not in its state (no row) it is
        # NULL and the statement fails as a whole. The PAID event's data is the payment's (amount, provider).
        events_sql = (
            f"INSERT INTO {quote(OrderEvent._meta.db_table)} "  # noqa: S608 - model names
            f"({', '.join(quote(field.column) for field in [fields['order'], *arrays])}) "
            f"SELECT p.{quote(Payment._meta.get_field('order').column)}, v.type, v.user_id, "
            f"CASE WHEN v.type = %s THEN jsonb_build_object('amount', p.{quote('amount')}::text, "
            f"'provider', p.{quote('payment_provider')}) ELSE v.data END, v.created_at "
            f"FROM o LEFT JOIN p ON TRUE, UNNEST({', '.join(['%s'] * len(arrays))}) WITH ORDINALITY "
            f"AS v(type, user_id, data, created_at, position) ORDER BY v.position "
            f"RETURNING {quote(OrderEvent._meta.pk.column)}"
        )
        sql = (
            f"WITH o AS ({order_sql}), p AS ({payment_sql}), e AS ({events_sql}) "  # noqa: S608 - model names
            f"SELECT o.*, p.*, (SELECT array_agg(e.{quote(OrderEvent._meta.pk.column)} ORDER BY "
            f"e.{quote(OrderEvent._meta.pk.column)}) FROM e) FROM o, p"
        )
        types = [
            *order_types,
            *payment_types,
            fields["type"].db_type(connection),
            *(f"{field.db_type(connection)}[]" for field in arrays),
        ]
        ready = _paid_statements[key] = Prepared("update_orders_paid", numbered(sql), types)
    return ready


def order_paid_if(*, order_id, order_values, order_where, payment_id, payment_values, payment_where, events):
    """``row_update_if`` of the order, then of its payment (the lock order: the payment's ``UPDATE`` runs on
    the order's result), and ``events`` (unsaved ``OrderEvent`` of the order, a PAID one getting the
    payment's amount and provider as its ``data``) inserted, in one statement prepared once per connection:
    one round trip, a transaction by itself in autocommit. Returns ``(order, payment, events)`` as written
    (the events saved, their keys and ``created_at`` set; no ``save()`` signals), None when the order was
    not in its state (nothing written); raises ``PaymentNotMatched`` when the payment was not (the
    statement failed: nothing written, the order's change neither). PostgreSQL with prepared statements
    only (``skincare.prepared``); in a transaction the caller keeps a savepoint around it."""
    connection = connections[DEFAULT_DB_ALIAS]
    order_sql, order_types, _, order_params = _row_update(Order, pk=order_id, values=order_values, where=order_where)
    payment_sql, payment_types, _, payment_params = _row_update(
        Payment, pk=payment_id, values=payment_values, where=payment_where, guard="EXISTS (SELECT FROM o)"
    )
    statement = _order_paid_statement((order_sql, tuple(order_types)), (payment_sql, tuple(payment_types)))
    fields = {field.name: field for field in OrderEvent._meta.local_concrete_fields}
    arrays = [
        [field.get_db_prep_save(field.pre_save(event, True), connection) for event in events]
        for field in (fields[name] for name in ("type", "user", "data", "created_at"))
    ]
    params = [*order_params, *payment_params, OrderEventType.PAID, *arrays]
    try:
        with connection.cursor() as cursor:
            statement.run(cursor, params)
            row = cursor.fetchone()
    except IntegrityError as error:
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) == _NOT_NULL and cause.diag.table_name == OrderEvent._meta.db_table:
            raise PaymentNotMatched from error
        raise
    if row is None:
        return None
    width = len(_returning_columns(Order)[1])
    order = _returned_instance(Order, row[:width])
    payment = _returned_instance(Payment, row[width:-1])
    for event, pk in zip(events, row[-1], strict=True):
        event.pk = pk
        event.order = order
        if event.type == OrderEventType.PAID:
            event.data = {"amount": str(payment.amount), "provider": payment.payment_provider}
        event._state.adding = False
        event._state.db = DEFAULT_DB_ALIAS
    return order, payment, events


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
