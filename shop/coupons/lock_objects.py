"""Every row lock the coupons app takes. Checkout and cancellation lock the coupon after
stock rows (see ``shop.orders.lock_objects``) so concurrent flows always lock in one order."""

from shop.coupons.models import Coupon


def coupon_lock(*, coupon_id):
    """Lock one coupon row; concurrent checkouts with the same code queue here."""
    return Coupon.objects.select_for_update(of=("self",)).get(pk=coupon_id)
