"""Every row lock the orders app takes, in one place.

Fixed order for any flow that needs several: cart -> order -> products (by pk) ->
variants (by pk) -> coupon -> payment. Users' counters are changed with ``UPDATE ... F()``
last. Concurrent checkouts of overlapping carts thus wait on each other instead of
deadlocking. ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway.
"""

from django.db.models import OuterRef, Subquery

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


def order_lock(*, order_id):
    return Order.objects.select_for_update(of=("self",)).get(pk=order_id)


def payment_lock(*, payment_id):
    return Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)


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
