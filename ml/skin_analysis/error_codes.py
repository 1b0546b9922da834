"""Error codes of skin analysis."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class SkinAnalysisErrorCode(ErrorCode):
    SKIN_ANALYSIS_NOT_FOUND = "SKIN_ANALYSIS_NOT_FOUND", 404, _("Skin analysis not found.")
    # Compare needs two finished analyses: a pending or failed one has no scores.
    SKIN_ANALYSIS_NOT_DONE = "SKIN_ANALYSIS_NOT_DONE", 409, _("Only finished analyses can be compared.")


export_members(SkinAnalysisErrorCode, globals())
