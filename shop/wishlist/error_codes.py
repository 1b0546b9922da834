"""Error codes of the wishlist."""

from skincare.errors import ErrorCode, export_members


class WishlistErrorCode(ErrorCode):
    WISHLIST_ITEM_NOT_FOUND = "WISHLIST_ITEM_NOT_FOUND", 404


export_members(WishlistErrorCode, globals())
