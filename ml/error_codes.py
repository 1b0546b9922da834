"""Error codes of the analytics app."""

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404
    # The store (MongoDB or the relational fallback) did not answer: a dependency is down.
    ANALYTICS_STORE_UNAVAILABLE = "ANALYTICS_STORE_UNAVAILABLE", 503
    # No routine of the requested steps fits the budget.
    ROUTINE_OVER_BUDGET = "ROUTINE_OVER_BUDGET", 400


export_members(AnalyticsErrorCode, globals())
