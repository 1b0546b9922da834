"""Cart changes. Each one locks the cart row (``lock_objects``) so two requests on the same
cart (double taps, parallel tabs) cannot lose an update, then drops the cached lines."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shop.cart import error_codes
from shop.cart.cache import cart_cache_invalidate
from shop.cart.lock_objects import (
    cart_line_add_checked,
    cart_lock_touch,
    cart_lock_touch_line_add,
    carts_lock,
    user_cart_line_add_checked,
)
from shop.cart.models import MAX_LINE_QUANTITY, Cart, CartLine
from shop.cart.pricing import INSUFFICIENT_STOCK, OUT_OF_STOCK, line_problem
from shop.cart.selectors import (
    cart_from_row,
    cart_is_expired,
    cart_lines,
    cart_of_user,
    cart_of_user_read,
    product_active_checked,
)
from shop.catalog.models import ProductVariant
from shop.catalog.selectors import product_active_get
from shop.coupons.services import coupon_check, coupon_get
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError

SESSION_KEY = "cart_token"


def _touch(cart):
    cart.updated_at = timezone.now()
    Cart.objects.filter(pk=cart.pk).update(updated_at=cart.updated_at)
    cart_cache_invalidate(cart.pk)


def _parse_token(raw):
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        return None


def _expire_if_stale(cart):
    if cart_is_expired(cart):
        cart.lines.all().delete()
        cart.updated_at = timezone.now()
        Cart.objects.filter(pk=cart.pk).update(coupon=None, updated_at=cart.updated_at)
        cart.coupon_id = None
        cart_cache_invalidate(cart.pk)
    return cart


def cart_for_user(*, user, with_lines=False):
    """The user's cart (created when missing, emptied when expired). ``with_lines``: read the cart's
    lines in the same query, kept as ``cart.joined_read`` (``selectors.JoinedRead``) for a caller that
    changes nothing (not set for a new or expired cart: read them afterwards)."""
    if with_lines:
        cart, read = cart_of_user_read(user_id=user.pk)
        if cart is not None and not cart_is_expired(cart):
            cart.joined_read = read
            return cart
    else:
        cart = cart_of_user(user_id=user.pk)
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user=user)
        except IntegrityError:  # created by a parallel request
            cart = Cart.objects.get(user=user)
    return _expire_if_stale(cart)


def cart_for_guest(*, token, create):
    token = _parse_token(token)
    cart = Cart.objects.filter(token=token, user__isnull=True).first() if token else None
    if cart is None:
        return Cart.objects.create() if create else None
    return _expire_if_stale(cart)


def cart_resolve(*, request, create=True, with_lines=False):
    """The cart of this request.

    Signed-in users have one cart; a guest cart token found in the request (``X-Cart-Token``
    header or the session) is merged into it (``cart_merge``), then dropped from the session.
    Guests are identified by that token; a new guest cart stores it in the session.
    ``with_lines``: see ``cart_for_user`` (a merge answers with the cart it locked, without them).
    """
    session = getattr(request, "session", None)
    header_token = request.headers.get("X-Cart-Token")
    session_token = session.get(SESSION_KEY) if session is not None else None
    user = request.user
    if user.is_authenticated:
        cart = cart_for_user(user=user, with_lines=with_lines)
        for token in {t for t in (header_token, session_token) if t}:
            guest = cart_for_guest(token=token, create=False)
            if guest is not None and _has_something_to_merge(guest):
                cart = cart_merge(source=guest, target=cart)  # the target as the merge left it
        if session is not None and session_token:
            session.pop(SESSION_KEY, None)
        return cart
    cart = cart_for_guest(token=header_token or session_token, create=create)
    if cart is not None and session is not None and session.get(SESSION_KEY) != str(cart.token):
        session[SESSION_KEY] = str(cart.token)
    return cart


def _check_stock(product, variant, quantity):
    problem, available = line_problem(product, variant, quantity)
    if problem is None:
        return
    if problem in (OUT_OF_STOCK, INSUFFICIENT_STOCK):
        message = (
            gettext("This product is out of stock.")
            if not available
            else gettext("Only %(available)s left in stock.") % {"available": available}
        )
        raise ApplicationError(
            error_codes.INSUFFICIENT_STOCK,
            message,
            errors={"quantity": [message]},
        )
    raise ApplicationError(
        error_codes.PRODUCT_UNAVAILABLE,
        gettext("This product is not available."),
        errors={"product_id": [gettext("Not available.")]},
    )


def _check_quantity(quantity):
    if quantity > MAX_LINE_QUANTITY:
        message = gettext("At most %(max)d of one item per order.") % {"max": MAX_LINE_QUANTITY}
        raise ApplicationError(error_codes.QUANTITY_TOO_LARGE, message, errors={"quantity": [message]})


_CHECKED_VARIANT_FIELDS = ("id", "product_id", "is_active", "stock_quantity")


def _product_and_variant(product_id, variant_id):
    product = product_active_checked(product_id=product_id)
    if product is None:
        product = product_active_get(product_id=product_id, field="product_id")  # its error, or activated meanwhile
    variant = None
    if variant_id is not None:
        variant = (
            ProductVariant.objects.filter(pk=variant_id, product=product, is_active=True)
            .only(*_CHECKED_VARIANT_FIELDS)
            .first()
        )
        if variant is None:
            raise ApplicationError(
                ApiErrorCode.VALIDATION_ERROR,
                gettext("Variant not found for this product."),
                errors={"variant_id": [gettext("Variant not found for this product.")]},
            )
    return product, variant


def cart_add_line(*, cart, product_id, quantity, variant_id=None):
    """Add to the line of this product / variant; returns the line's id.

    On PostgreSQL an addition that passes every check is one statement (``cart_line_add_checked``: the
    checks, the cart's lock and touch and the line's upsert). One that it refuses, and every addition on
    SQLite, goes the checked way: the product is read (only the columns the checks need) before the
    cart's lock; the lock and the line's upsert are one statement (``cart_lock_touch_line_add``), which
    returns the line's new total; the limit and stock checks then judge it, and a refusal rolls the
    addition back with the lock's transaction. Errors come in that order: product, cart, limit, stock.
    """
    if connection.vendor == "postgresql":
        added = cart_line_add_checked(
            cart_id=cart.pk,
            product_id=product_id,
            variant_id=variant_id,
            quantity=quantity,
            max_quantity=MAX_LINE_QUANTITY,
        )
        if added is not None:
            cart.updated_at, (line_id, _) = added
            cart_cache_invalidate(cart.pk)
            return line_id
    product, variant = _product_and_variant(product_id, variant_id)
    with transaction.atomic():
        cart.updated_at, row = cart_lock_touch_line_add(
            cart_id=cart.pk,
            product_id=product.pk,
            variant_id=variant_id,
            quantity=quantity,
            max_quantity=MAX_LINE_QUANTITY,
        )
        if row is None:  # the quantity, or the line's new total, passes the limit
            _check_quantity(MAX_LINE_QUANTITY + 1)
        line_id, new_quantity = row
        _check_stock(product, variant, new_quantity)
        cart_cache_invalidate(cart.pk, no_read_before_commit=True)
    return line_id


def cart_resolve_add_line(*, request, product_id, quantity, variant_id=None):
    """``cart_resolve(request=request)``, then ``cart_add_line`` on that cart; returns the cart.

    On PostgreSQL, for a signed-in user whose request carries no guest cart token (nothing to merge), an
    addition that passes every check is one statement with the look-up of the user's cart
    (``user_cart_line_add_checked``). When it writes nothing (no cart yet, an expired one, a refusal),
    the cart is resolved and the line added or refused as before.
    """
    user = request.user
    if connection.vendor == "postgresql" and user.is_authenticated and not _guest_tokens(request):
        added = user_cart_line_add_checked(
            user_id=user.pk,
            fresh_since=timezone.now() - timedelta(days=settings.CART_TTL_DAYS),
            product_id=product_id,
            variant_id=variant_id,
            quantity=quantity,
            max_quantity=MAX_LINE_QUANTITY,
        )
        if added is not None:
            now, _, values = added
            cart = cart_from_row(values)
            cart.updated_at = now
            cart_cache_invalidate(cart.pk)
            return cart
    cart = cart_resolve(request=request)
    cart_add_line(cart=cart, product_id=product_id, quantity=quantity, variant_id=variant_id)
    return cart


def _guest_tokens(request):
    session = getattr(request, "session", None)
    return request.headers.get("X-Cart-Token") or (session.get(SESSION_KEY) if session is not None else None)


def _line(cart, line_id):
    line = CartLine.objects.select_related("product", "variant").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise ApplicationError(error_codes.CART_LINE_NOT_FOUND, gettext("Cart item not found."))
    return line


@transaction.atomic
def cart_update_line(*, cart, line_id, quantity):
    """Set a line's quantity; 0 removes it."""
    cart.updated_at = cart_lock_touch(cart_id=cart.pk)
    line = _line(cart, line_id)
    if quantity == 0:
        line.delete()
    else:
        _check_quantity(quantity)
        if quantity > line.quantity:
            _check_stock(line.product, line.variant, quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity", "updated_at"])
    cart_cache_invalidate(cart.pk)


@transaction.atomic
def cart_remove_line(*, cart, line_id):
    cart.updated_at = cart_lock_touch(cart_id=cart.pk)
    _line(cart, line_id).delete()
    cart_cache_invalidate(cart.pk)


@transaction.atomic
def cart_clear(*, cart):
    cart.updated_at = cart_lock_touch(cart_id=cart.pk)
    cart.lines.all().delete()
    Cart.objects.filter(pk=cart.pk).update(coupon=None)
    cart.coupon_id = None
    cart_cache_invalidate(cart.pk)


@transaction.atomic
def cart_apply_coupon(*, cart, code, user):
    from shop.cart.pricing import price_lines

    coupon = coupon_get(code=code, user=user if user is not None and user.is_authenticated else None)
    coupon_check(coupon=coupon, user=user, prices=price_lines(lines=cart_lines(cart)))
    cart.updated_at = cart_lock_touch(cart_id=cart.pk)
    Cart.objects.filter(pk=cart.pk).update(coupon=coupon)
    cart.coupon_id = coupon.pk
    cart_cache_invalidate(cart.pk)
    return coupon


@transaction.atomic
def cart_remove_coupon(*, cart):
    cart.updated_at = cart_lock_touch(cart_id=cart.pk)
    Cart.objects.filter(pk=cart.pk).update(coupon=None)
    cart.coupon_id = None
    cart_cache_invalidate(cart.pk)


@transaction.atomic
def cart_merge(*, source, target):
    """Move a guest cart's lines into ``target`` (quantities add up, capped by the line limit
    and by stock) and keep the guest's coupon if the target has none.

    Both carts are locked in pk order and the guest's lines read under the lock, so parallel
    merges of one guest cart move each line once. The guest cart is emptied, not deleted: a
    guest request that found it just before (same token, another tab) still adds to it
    instead of failing, and the next signed-in request with the token merges that line too.
    """
    locked = carts_lock(cart_ids=[source.pk, target.pk])
    if source.pk not in locked or target.pk not in locked:
        return target  # deleted meanwhile (expiry clean-up): nothing left to move
    source, target = locked[source.pk], locked[target.pk]
    existing = {(line.product_id, line.variant_id): line for line in target.lines.select_related("product", "variant")}
    moved = list(source.lines.select_related("product", "variant"))
    for line in moved:
        current = existing.get((line.product_id, line.variant_id))
        quantity = min(MAX_LINE_QUANTITY, line.quantity + (current.quantity if current else 0))
        _, available = line_problem(line.product, line.variant, quantity)
        if available is not None:
            quantity = min(quantity, max(available, current.quantity if current else 1))
        if current:
            current.quantity = quantity
            current.save(update_fields=["quantity", "updated_at"])
        else:
            CartLine.objects.create(cart=target, product=line.product, variant=line.variant, quantity=quantity)
    if source.coupon_id and not target.coupon_id:
        Cart.objects.filter(pk=target.pk).update(coupon_id=source.coupon_id)
        target.coupon_id = source.coupon_id
    CartLine.objects.filter(pk__in=[line.pk for line in moved]).delete()
    Cart.objects.filter(pk=source.pk).update(coupon=None, updated_at=timezone.now())
    cart_cache_invalidate(source.pk)
    _touch(target)
    return target


def _has_something_to_merge(cart):
    return cart.coupon_id is not None or cart.lines.exists()


def carts_delete_expired(*, now=None):
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    deleted, _ = Cart.objects.filter(updated_at__lt=now - timedelta(days=settings.CART_TTL_DAYS)).delete()
    return deleted
