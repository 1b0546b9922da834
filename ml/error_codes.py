"""Error codes of the analytics app."""

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404
    # The store (MongoDB or the relational fallback) did not answer: a dependency is down.
    ANALYTICS_STORE_UNAVAILABLE = "ANALYTICS_STORE_UNAVAILABLE", 503
    # A prediction or intelligence asked about a product that does not exist or is not on sale.
    ML_PRODUCT_NOT_FOUND = "ML_PRODUCT_NOT_FOUND", 404


export_members(AnalyticsErrorCode, globals())
