"""Error codes of the wishlist."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class WishlistErrorCode(ErrorCode):
    WISHLIST_ITEM_NOT_FOUND = "WISHLIST_ITEM_NOT_FOUND", 404, _("Not in your wishlist.")


export_members(WishlistErrorCode, globals())
