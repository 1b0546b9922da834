"""Every row lock the orders app takes, in one place.

Fixed order for any flow that needs several: cart -> order -> products (by pk) ->
variants (by pk) -> coupon -> payment. Users' counters are changed with ``UPDATE ... F()``
last. Concurrent checkouts of overlapping carts thus wait on each other instead of
deadlocking. ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway.
"""

import threading
import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import OuterRef, Subquery, UUIDField
from django.db.transaction import TransactionManagementError

from shop.catalog.models import Product, ProductMedia, ProductVariant
from shop.orders.models import Order, Payment


def products_lock(*, product_ids, primary_file=False):
    """{pk: Product} locked in pk order. ``primary_file``: each also carries ``primary_file_id``,
    the file of its primary image or None, read in the same statement (checkout copies it)."""
    if not product_ids:
        return {}
    qs = (
        Product.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=product_ids)
        .order_by("pk")
    )
    if primary_file:
        primary = ProductMedia.objects.filter(product=OuterRef("pk"), is_primary=True).values("file_id")[:1]
        qs = qs.annotate(primary_file_id=Subquery(primary))
    return {product.pk: product for product in qs}


def variants_lock(*, variant_ids):
    if not variant_ids:
        return {}
    qs = ProductVariant.objects.select_for_update(of=("self",)).filter(pk__in=variant_ids).order_by("pk")
    return {variant.pk: variant for variant in qs}


_compiled = threading.local()
# No row has these ids; one marks the id among the compiled statement's parameters.
_PLACEHOLDER, _UUID_PLACEHOLDER = -918_273_645_546_372_819, uuid.UUID(int=0)


def _row_lock(model, pk):
    """``model.objects.select_for_update(of=("self",)).get(pk=pk)``, without building and compiling
    the statement each time: each thread compiles it once per connection for a placeholder id and
    then only swaps ``pk`` in; the row goes through the compiler's converters, as ``get`` would."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.features.has_select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    key_field = model._meta.pk
    ready = getattr(_compiled, model._meta.label, None)
    if ready is None or ready[0] is not connection:
        placeholder = _UUID_PLACEHOLDER if isinstance(key_field, UUIDField) else _PLACEHOLDER
        compiler = (
            model.objects.select_for_update(of=("self",)).filter(pk=placeholder).query.get_compiler(DEFAULT_DB_ALIAS)
        )
        sql, params = compiler.as_sql()
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        names = [column.target.attname for column in columns]
        assert names == [field.attname for field in model._meta.concrete_fields]  # noqa: S101 - as from_db loads
        params = list(params)
        ready = (
            connection,
            compiler,
            compiler.get_converters(columns),
            sql,
            params,
            params.index(key_field.get_db_prep_value(placeholder, connection)),
            names,
        )
        setattr(_compiled, model._meta.label, ready)
    _, compiler, converters, sql, params, index, names = ready
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params[:index], key_field.get_db_prep_value(pk, connection), *params[index + 1 :]])
        rows = cursor.fetchall()
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return model.from_db(DEFAULT_DB_ALIAS, names, rows[0])


def order_lock(*, order_id):
    return _row_lock(Order, order_id)


def payment_lock(*, payment_id):
    return _row_lock(Payment, payment_id)


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
