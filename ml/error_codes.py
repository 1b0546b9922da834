"""Error codes of the analytics app."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404, _("No analytics for this yet.")


export_members(AnalyticsErrorCode, globals())
