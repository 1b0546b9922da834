"""Error codes of coupons (checked when a coupon is applied, and by the staff API)."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class CouponErrorCode(ErrorCode):
    COUPON_NOT_FOUND = "COUPON_NOT_FOUND", 400, _("Coupon not found.")
    COUPON_INACTIVE = "COUPON_INACTIVE", 400, _("This coupon is not active.")
    COUPON_NOT_STARTED = "COUPON_NOT_STARTED", 400, _("This coupon is not valid yet.")
    COUPON_EXPIRED = "COUPON_EXPIRED", 400, _("This coupon has expired.")
    COUPON_USAGE_LIMIT_REACHED = "COUPON_USAGE_LIMIT_REACHED", 400, _("This coupon has reached its usage limit.")
    COUPON_USER_LIMIT_REACHED = (
        "COUPON_USER_LIMIT_REACHED",
        400,
        _("You have already used this coupon the maximum number of times."),
    )
    COUPON_MIN_ORDER_NOT_MET = (
        "COUPON_MIN_ORDER_NOT_MET",
        400,
        _("Your order does not reach this coupon's minimum amount."),
    )
    COUPON_NOT_APPLICABLE = "COUPON_NOT_APPLICABLE", 400, _("This coupon does not apply to the items in your cart.")
    COUPON_FIRST_ORDER_ONLY = "COUPON_FIRST_ORDER_ONLY", 400, _("This coupon is for a first order only.")
    COUPON_LOGIN_REQUIRED = "COUPON_LOGIN_REQUIRED", 400, _("Sign in to use this coupon.")
    COUPON_CODE_TAKEN = "COUPON_CODE_TAKEN", 409, _("A coupon with this code already exists.")
    COUPON_IN_USE = "COUPON_IN_USE", 409, _("This coupon has been used; set it inactive instead of deleting it.")


export_members(CouponErrorCode, globals())

# Why a coupon does not apply to a cart (``coupon_get`` / ``coupon_check``): applying or checking out answers these.
COUPON_REFUSALS = (
    CouponErrorCode.COUPON_NOT_FOUND,
    CouponErrorCode.COUPON_INACTIVE,
    CouponErrorCode.COUPON_NOT_STARTED,
    CouponErrorCode.COUPON_EXPIRED,
    CouponErrorCode.COUPON_USAGE_LIMIT_REACHED,
    CouponErrorCode.COUPON_USER_LIMIT_REACHED,
    CouponErrorCode.COUPON_MIN_ORDER_NOT_MET,
    CouponErrorCode.COUPON_NOT_APPLICABLE,
    CouponErrorCode.COUPON_FIRST_ORDER_ONLY,
)
