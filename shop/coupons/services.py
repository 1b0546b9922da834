"""Coupon rules. ``coupon_check`` raises ``ApplicationError`` with the reason a coupon does not apply;
checkout calls it again under the coupon's row lock, so limits hold under concurrency."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shop.coupons import error_codes
from shop.coupons.calculations import ZERO, coupon_scope, eligible_subtotal, merchandise_discount
from shop.coupons.lock_objects import coupon_lock
from shop.coupons.models import Coupon, CouponStatus, CouponType, CouponUsage
from shop.coupons.selectors import coupon_find
from skincare.errors import ApplicationError


def _fail(code, message):
    return ApplicationError(code, message, errors={"code": [message]})


def coupon_get(*, code, user=None):
    coupon = coupon_find(code=code)
    if coupon is None or (coupon.customer_id is not None and (user is None or coupon.customer_id != user.pk)):
        # A personal coupon of someone else reads exactly like an unknown code.
        raise _fail(error_codes.COUPON_NOT_FOUND, gettext("This coupon code does not exist."))
    return coupon


def coupon_check(*, coupon, user, prices, now=None, user_uses=None, user_orders=None):
    """Raise the first reason ``coupon`` cannot apply to ``prices`` (computed without it) for ``user``.

    Guests skip the per-customer rules here; checkout needs an account and checks them again.
    """
    now = now or timezone.now()
    authenticated = user is not None and user.is_authenticated
    if coupon.customer_id is not None and (not authenticated or coupon.customer_id != user.pk):
        raise _fail(error_codes.COUPON_NOT_FOUND, gettext("This coupon code does not exist."))
    if coupon.status == CouponStatus.EXPIRED or (coupon.end_date is not None and coupon.end_date <= now):
        raise _fail(error_codes.COUPON_EXPIRED, gettext("This coupon has expired."))
    if coupon.status != CouponStatus.ACTIVE:
        raise _fail(error_codes.COUPON_INACTIVE, gettext("This coupon is not active."))
    if coupon.start_date is not None and coupon.start_date > now:
        raise _fail(error_codes.COUPON_NOT_STARTED, gettext("This coupon is not valid yet."))
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        raise _fail(error_codes.COUPON_USAGE_LIMIT_REACHED, gettext("This coupon has been fully redeemed."))
    if authenticated:
        if coupon.usage_limit_per_user is not None:
            if user_uses is None:
                user_uses = CouponUsage.objects.filter(coupon=coupon, user=user, released_at__isnull=True).count()
            if user_uses >= coupon.usage_limit_per_user:
                raise _fail(error_codes.COUPON_USER_LIMIT_REACHED, gettext("You have already used this coupon."))
        if coupon.is_first_time_only:
            if user_orders is None:
                user_orders = get_user_model().objects.filter(pk=user.pk).values_list("total_orders", flat=True)[0]
            if user_orders > 0:
                raise _fail(error_codes.COUPON_FIRST_ORDER_ONLY, gettext("This coupon is for a first order only."))
    purchasable = prices.purchasable_lines
    if coupon.min_order_value is not None and prices.subtotal < coupon.min_order_value:
        raise _fail(
            error_codes.COUPON_MIN_ORDER_NOT_MET,
            gettext("Spend at least %(amount)s to use this coupon.") % {"amount": coupon.min_order_value},
        )
    products, categories = coupon_scope(coupon)
    if not purchasable or ((products or categories) and eligible_subtotal(coupon, purchasable) <= ZERO):
        raise _fail(error_codes.COUPON_NOT_APPLICABLE, gettext("This coupon does not apply to the items in your cart."))
    if (
        coupon.type != CouponType.FREE_SHIPPING
        and merchandise_discount(coupon, eligible_subtotal(coupon, purchasable)) <= ZERO
    ):
        raise _fail(error_codes.COUPON_NOT_APPLICABLE, gettext("This coupon gives no discount on this cart."))


@transaction.atomic
def coupon_redeem(*, coupon_id, user, prices, now=None):
    """Lock the coupon, check it again and record one use. Called inside checkout's transaction."""
    coupon = coupon_lock(coupon_id=coupon_id)
    coupon._scope_cache = None
    coupon_check(coupon=coupon, user=user, prices=prices, now=now)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=F("used_count") + 1)
    coupon.used_count += 1
    return coupon


def coupon_usage_record(*, coupon, user, order, discount_amount):
    return CouponUsage.objects.create(coupon=coupon, user=user, order=order, discount_amount=discount_amount)


@transaction.atomic
def coupon_release(*, order):
    """Give back the uses recorded for a cancelled order (coupon row locked first)."""
    usages = list(CouponUsage.objects.filter(order=order, released_at__isnull=True).values_list("pk", "coupon_id"))
    for coupon_id in sorted({coupon_id for _, coupon_id in usages}):
        coupon_lock(coupon_id=coupon_id)
        n = sum(1 for _, cid in usages if cid == coupon_id)
        Coupon.objects.filter(pk=coupon_id).update(used_count=F("used_count") - n)
    CouponUsage.objects.filter(pk__in=[pk for pk, _ in usages]).update(released_at=timezone.now())
    return len(usages)


def _code_taken():
    message = gettext("A coupon with this code already exists.")
    return ApplicationError(error_codes.COUPON_CODE_TAKEN, message, errors={"code": [message]})


def _ensure_code_free(code, *, coupon=None):
    """Codes are unique case-insensitively (stored upper-case); the unique index settles races."""
    others = Coupon.objects.exclude(pk=coupon.pk) if coupon is not None else Coupon.objects.all()
    if code and others.filter(code=code.strip().upper()).exists():
        raise _code_taken()


def _save(coupon, products, categories):
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError as exc:
        if "code" in str(exc).lower() or "unique" in str(exc).lower():
            raise _code_taken() from exc
        raise
    if products is not None:
        coupon.applicable_products.set(products)
    if categories is not None:
        coupon.applicable_categories.set(categories)
    return coupon


@transaction.atomic
def coupon_create(*, applicable_products=None, applicable_categories=None, **data):
    _ensure_code_free(data.get("code"))
    return _save(Coupon(**data), applicable_products, applicable_categories)


@transaction.atomic
def coupon_update(*, coupon, applicable_products=None, applicable_categories=None, **data):
    _ensure_code_free(data.get("code"), coupon=coupon)
    for key, value in data.items():
        setattr(coupon, key, value)
    return _save(coupon, applicable_products, applicable_categories)


def coupon_delete(*, coupon):
    if coupon.usages.exists():
        raise ApplicationError(
            error_codes.COUPON_IN_USE,
            gettext("This coupon has been used; set it inactive instead of deleting it."),
        )
    coupon.delete()


def coupons_bulk_status(*, coupon_ids, status):
    """Set ``status`` on the coupons that exist; returns their ids, in the order asked."""
    coupons = Coupon.objects.filter(pk__in=coupon_ids)
    found = set(coupons.values_list("pk", flat=True))
    coupons.update(status=status, updated_at=timezone.now())
    return [pk for pk in dict.fromkeys(coupon_ids) if pk in found]
