"""Error codes of coupons (checked when a coupon is applied, and by the staff API)."""

from skincare.errors import ErrorCode, export_members


class CouponErrorCode(ErrorCode):
    COUPON_NOT_FOUND = "COUPON_NOT_FOUND", 400
    COUPON_INACTIVE = "COUPON_INACTIVE", 400
    COUPON_NOT_STARTED = "COUPON_NOT_STARTED", 400
    COUPON_EXPIRED = "COUPON_EXPIRED", 400
    COUPON_USAGE_LIMIT_REACHED = "COUPON_USAGE_LIMIT_REACHED", 400
    COUPON_USER_LIMIT_REACHED = "COUPON_USER_LIMIT_REACHED", 400
    COUPON_MIN_ORDER_NOT_MET = "COUPON_MIN_ORDER_NOT_MET", 400
    COUPON_NOT_APPLICABLE = "COUPON_NOT_APPLICABLE", 400
    COUPON_FIRST_ORDER_ONLY = "COUPON_FIRST_ORDER_ONLY", 400
    COUPON_LOGIN_REQUIRED = "COUPON_LOGIN_REQUIRED", 400
    COUPON_CODE_TAKEN = "COUPON_CODE_TAKEN", 409
    COUPON_IN_USE = "COUPON_IN_USE", 409


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
