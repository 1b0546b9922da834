"""Error codes of the analytics app."""

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404


export_members(AnalyticsErrorCode, globals())
