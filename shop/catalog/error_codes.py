"""Error codes of the catalog API (shared ones live in ``skincare.api.error_codes``)."""

from skincare.errors import ErrorCode, export_members


class CatalogErrorCode(ErrorCode):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND", 404  # unknown or inactive product in the path
    CATEGORY_NOT_FOUND = "CATEGORY_NOT_FOUND", 404
    MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND", 404
    INVALID_SKIN_TYPE = "INVALID_SKIN_TYPE", 404  # unknown skin type in the path
    INVALID_PAGE_SIZE = "INVALID_PAGE_SIZE", 400
    SEARCH_QUERY_REQUIRED = "SEARCH_QUERY_REQUIRED", 400
    SLUG_TAKEN = "SLUG_TAKEN", 409
    SKU_TAKEN = "SKU_TAKEN", 409
    BARCODE_TAKEN = "BARCODE_TAKEN", 409
    INVALID_PRICE = "INVALID_PRICE", 400
    CATEGORY_CYCLE = "CATEGORY_CYCLE", 400
    CATEGORY_NOT_EMPTY = "CATEGORY_NOT_EMPTY", 409
    REORDER_MISMATCH = "REORDER_MISMATCH", 400
    UNKNOWN_PRODUCTS = "UNKNOWN_PRODUCTS", 404  # a bulk action names products that do not exist
    PRODUCT_ORDERED = "PRODUCT_ORDERED", 409  # bulk delete: ordered before, so archived instead
    UPLOAD_FAILED = "UPLOAD_FAILED", 503
    VARIANT_NOT_FOUND = "VARIANT_NOT_FOUND", 404  # a stock adjustment names a variant of another product
    STOCK_WOULD_GO_NEGATIVE = "STOCK_WOULD_GO_NEGATIVE", 409  # removes more than is in stock (no backorders)


export_members(CatalogErrorCode, globals())
