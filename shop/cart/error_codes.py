"""Error codes of the cart."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class CartErrorCode(ErrorCode):
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE", 400, _("This product is not available.")
    VARIANT_REQUIRED = "VARIANT_REQUIRED", 400, _("Choose a variant of this product.")
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK", 409, _("Not enough in stock.")
    QUANTITY_TOO_LARGE = "QUANTITY_TOO_LARGE", 400, _("The quantity is too large.")
    CART_LINE_NOT_FOUND = "CART_LINE_NOT_FOUND", 404, _("Cart item not found.")
    CART_NOT_FOUND = "CART_NOT_FOUND", 404, _("This cart no longer exists.")


export_members(CartErrorCode, globals())
