"""Error codes of the catalog API (shared ones live in ``skincare.api.error_codes``)."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class CatalogErrorCode(ErrorCode):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND", 404, _("Product not found.")  # unknown or inactive product in the path
    CATEGORY_NOT_FOUND = "CATEGORY_NOT_FOUND", 404, _("Category not found.")
    MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND", 404, _("Image not found.")
    INVALID_SKIN_TYPE = "INVALID_SKIN_TYPE", 404, _("Unknown skin type.")  # unknown skin type in the path
    INVALID_PAGE_SIZE = "INVALID_PAGE_SIZE", 400, _("Invalid page size.")
    SEARCH_QUERY_REQUIRED = "SEARCH_QUERY_REQUIRED", 400, _("Type something to search.")
    SLUG_TAKEN = "SLUG_TAKEN", 409, _("This slug is already used.")
    SKU_TAKEN = "SKU_TAKEN", 409, _("This SKU is already used.")
    BARCODE_TAKEN = "BARCODE_TAKEN", 409, _("This barcode is already used.")
    INVALID_PRICE = "INVALID_PRICE", 400, _("Invalid price.")
    CATEGORY_CYCLE = "CATEGORY_CYCLE", 400, _("That would make a loop in the category tree.")
    CATEGORY_NOT_EMPTY = "CATEGORY_NOT_EMPTY", 409, _("Move or delete its sub-categories and products first.")
    REORDER_MISMATCH = "REORDER_MISMATCH", 400, _("Send every child of this parent exactly once.")
    # a bulk action names products that do not exist
    UNKNOWN_PRODUCTS = "UNKNOWN_PRODUCTS", 404, _("Some products do not exist.")
    # bulk delete: ordered before, so archived instead
    PRODUCT_ORDERED = "PRODUCT_ORDERED", 409, _("This product was ordered before, so it was archived instead.")
    UPLOAD_FAILED = "UPLOAD_FAILED", 503, _("The upload failed; please retry later.")
    # a stock adjustment names a variant of another product
    VARIANT_NOT_FOUND = "VARIANT_NOT_FOUND", 404, _("Variant not found.")
    # removes more than is in stock (no backorders)
    STOCK_WOULD_GO_NEGATIVE = "STOCK_WOULD_GO_NEGATIVE", 409, _("Not enough stock to remove that many.")


export_members(CatalogErrorCode, globals())
