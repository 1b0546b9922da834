"""Error codes of the cart."""

from skincare.errors import ErrorCode, export_members


class CartErrorCode(ErrorCode):
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE", 400
    VARIANT_REQUIRED = "VARIANT_REQUIRED", 400
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK", 409
    QUANTITY_TOO_LARGE = "QUANTITY_TOO_LARGE", 400
    CART_LINE_NOT_FOUND = "CART_LINE_NOT_FOUND", 404
    CART_NOT_FOUND = "CART_NOT_FOUND", 404


export_members(CartErrorCode, globals())
