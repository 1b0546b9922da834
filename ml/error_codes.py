"""Error codes of the analytics app."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class AnalyticsErrorCode(ErrorCode):
    ANALYTICS_NOT_FOUND = "ANALYTICS_NOT_FOUND", 404, _("No analytics for this yet.")
    # No routine of the requested steps fits the budget.
    ROUTINE_OVER_BUDGET = "ROUTINE_OVER_BUDGET", 400, _("No routine fits this budget.")
    # A prediction or intelligence asked about a product that does not exist or is not on sale.
    ML_PRODUCT_NOT_FOUND = "ML_PRODUCT_NOT_FOUND", 404, _("Product not found.")


export_members(AnalyticsErrorCode, globals())
