"""Error codes of the analytics app."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404, _("No analytics for this yet.")
    # The store (MongoDB or the relational fallback) did not answer: a dependency is down.
    ANALYTICS_STORE_UNAVAILABLE = (
        "ANALYTICS_STORE_UNAVAILABLE",
        503,
        _("The analytics store is unavailable; try again later."),
    )


export_members(AnalyticsErrorCode, globals())
