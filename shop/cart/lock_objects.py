"""Every row lock the cart app takes. A cart is locked before any stock or coupon row."""

from shop.cart.models import Cart


def cart_lock(*, cart_id):
    return Cart.objects.select_for_update(of=("self",)).get(pk=cart_id)
