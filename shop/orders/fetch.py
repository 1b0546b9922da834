"""Load everything checkout needs once, under the right locks (Saleor's ``fetch`` pattern)."""

from dataclasses import dataclass

from django.utils import timezone

from shop.cart.cache import cart_cache_invalidate
from shop.cart.lock_objects import cart_lock
from shop.cart.models import Cart, CartLine
from shop.orders.lock_objects import products_lock, variants_lock


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


def checkout_fetch(*, cart_id, take_lines=False):
    """Lock the cart, then its products and variants in pk order; lines carry the locked rows (the
    products with ``primary_file_id``, the file of their primary image, for the order lines).

    ``take_lines`` (checkout): the cart is emptied (its lines deleted, its coupon dropped) as soon as
    its lines are read, before the products are locked, so the products' locks are held for fewer
    statements; ``info.cart`` still carries the coupon, and a refusal later rolls the emptying back."""
    cart = cart_lock(cart_id=cart_id)
    rows = list(CartLine.objects.filter(cart=cart).values_list("id", "product_id", "variant_id", "quantity"))
    if take_lines and rows:
        CartLine.objects.filter(cart=cart).delete()
        Cart.objects.filter(pk=cart.pk).update(coupon=None, updated_at=timezone.now())
        cart_cache_invalidate(cart.pk)
    products = products_lock(product_ids={row[1] for row in rows}, primary_file=True)
    variants = variants_lock(variant_ids={row[2] for row in rows if row[2]})
    lines = [
        CheckoutLine(line_id, products[product_id], variants.get(variant_id) if variant_id else None, quantity)
        for line_id, product_id, variant_id, quantity in rows
        if product_id in products and (not variant_id or variant_id in variants)
    ]
    return CheckoutInfo(cart=cart, lines=lines)
