"""Every row lock the cart app takes. A cart is locked before any stock or coupon row;
two carts (a merge) are locked in pk order."""

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from shop.cart import error_codes
from shop.cart.models import Cart
from skincare.errors import ApplicationError


def cart_lock(*, cart_id):
    """The locked cart; a cart deleted meanwhile (expiry clean-up) is a clear 404, not a 500."""
    cart = Cart.objects.select_for_update(of=("self",)).filter(pk=cart_id).first()
    if cart is None:
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return cart


_TOUCH_SQL = "UPDATE {table} SET {updated_at} = %s WHERE {table}.{pk} = %s".format(  # noqa: S608 - constants
    table=connection.ops.quote_name(Cart._meta.db_table),
    updated_at=connection.ops.quote_name(Cart._meta.get_field("updated_at").column),
    pk=connection.ops.quote_name(Cart._meta.pk.column),
)


def cart_lock_touch(*, cart_id):
    """Lock the cart by writing its ``updated_at``: one UPDATE instead of ``SELECT ... FOR UPDATE``
    then an UPDATE, for changes that touch the cart anyway. Returns the new ``updated_at``."""
    now = timezone.now()
    with connection.cursor() as cursor:  # the ORM's UPDATE, without building and compiling it per request
        cursor.execute(_TOUCH_SQL, [now, cart_id])
        touched = cursor.rowcount
    if not touched:
        raise ApplicationError(error_codes.CART_NOT_FOUND, gettext("This cart no longer exists."))
    return now


def carts_lock(*, cart_ids):
    """{pk: Cart} of the carts that still exist, locked in pk order."""
    qs = Cart.objects.select_for_update(of=("self",)).filter(pk__in=cart_ids).order_by("pk")
    return {cart.pk: cart for cart in qs}
