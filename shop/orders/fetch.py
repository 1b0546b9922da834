"""Load everything checkout needs once, under the right locks (Saleor's ``fetch`` pattern)."""

from dataclasses import dataclass

from django.db import connection

from shop.cart.cache import cart_cache_invalidate
from shop.cart.lock_objects import (
    cart_lock,
    cart_lock_touched,
    cart_lock_touched_lines_taken,
    cart_of_user_lock_touched,
)
from shop.cart.models import Cart, CartLine
from shop.orders.lock_objects import products_lock, variants_lock
from skincare.prepared import prepared_statements


@dataclass
class CheckoutLine:
    id: int
    product: object
    variant: object
    quantity: int


@dataclass
class CheckoutInfo:
    cart: object
    lines: list


def checkout_fetch(*, cart_id=None, user_id=None, fresh_since=None, take_lines=False, user_names=False):
    """Lock the cart, then its products and variants in pk order; lines carry the locked rows (the
    products with ``primary_file_id``, the file of their primary image, for the order lines).

    ``take_lines`` (checkout): the cart is locked by writing its ``updated_at`` and emptied (its lines
    deleted by the statement that reads them, its coupon dropped) before the products are locked, so
    the products' locks are held for fewer statements; ``info.cart`` still carries the coupon, and a
    refusal later rolls the emptying back. Without ``cart_id`` (checkout, signed in) the cart is
    ``user_id``'s, found by the locking statement: None when they have no cart touched since
    ``fresh_since`` (none, or an expired one), with nothing locked or changed. ``user_names`` (with
    ``take_lines``, PostgreSQL): ``info.cart.user_names`` holds its user's names, read by the cart's lock."""
    if take_lines:
        taken = None
        if prepared_statements(connection):  # the cart's lock and the lines' DELETE in one statement
            taken = cart_lock_touched_lines_taken(cart_id=cart_id, user_id=user_id, fresh_since=fresh_since)
        if taken is None:  # elsewhere, or the cart changed while that statement waited for it: two statements
            taken = _cart_locked_lines_taken(cart_id, user_id, fresh_since, user_names=user_names)
        cart, rows = taken
        if cart is None:
            return None
        rows = _in_cart_order(rows)
        if rows and cart.coupon_id:
            Cart.objects.filter(pk=cart.pk).update(coupon=None)
        cart_cache_invalidate(cart.pk, no_read_before_commit=True)  # the lines were read, by the statement above
    else:
        cart = cart_lock(cart_id=cart_id)
        rows = list(CartLine.objects.filter(cart=cart).values_list("id", "product_id", "variant_id", "quantity"))
    products = products_lock(product_ids={row[1] for row in rows}, primary_file=True)
    variants = variants_lock(variant_ids={row[2] for row in rows if row[2]})
    lines = [
        CheckoutLine(line_id, products[product_id], variants.get(variant_id) if variant_id else None, quantity)
        for line_id, product_id, variant_id, quantity in rows
        if product_id in products and (not variant_id or variant_id in variants)
    ]
    return CheckoutInfo(cart=cart, lines=lines)


def _take_sql():
    meta, quote = CartLine._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("id", "product", "variant", "quantity"))
    ordering = [quote(meta.get_field(name).column) for name in meta.ordering]
    return (
        f"DELETE FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('cart').column)} = %s "  # noqa: S608 - model names
        f"RETURNING {columns}, {', '.join(ordering)}"
    )


def _cart_locked_lines_taken(cart_id, user_id, fresh_since, *, user_names):
    """``(the cart locked by its touch, its lines taken)``, or ``(None, [])``: the user has no fresh cart."""
    if cart_id is None:
        cart = cart_of_user_lock_touched(user_id=user_id, fresh_since=fresh_since, user_names=user_names)
        if cart is None:
            return None, []
    else:
        cart = cart_lock_touched(cart_id=cart_id, user_names=user_names)
    return cart, _lines_take(cart.pk)


def _lines_take(cart_id):
    """The cart's lines ``(id, product_id, variant_id, quantity, *ordering)``, deleted by the statement
    that reads them (``DELETE ... RETURNING``). Run after the cart's lock, the statement sees every line
    committed before the lock was granted. No ``CartLine`` delete signal is sent (none is connected; the
    ORM's delete of these rows was a single ``DELETE`` too)."""
    with connection.cursor() as cursor:
        cursor.execute(_take_sql(), [cart_id])
        return cursor.fetchall()


def _in_cart_order(rows):
    """Taken lines ``(id, product_id, variant_id, quantity, *ordering)`` as ``(id, product_id, variant_id,
    quantity)`` in ``CartLine.Meta.ordering``."""
    rows.sort(key=lambda row: row[4:])
    return [row[:4] for row in rows]
