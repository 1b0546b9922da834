"""Error codes of skin analysis."""

from skincare.errors import ErrorCode, export_members


class SkinAnalysisErrorCode(ErrorCode):
    SKIN_ANALYSIS_NOT_FOUND = "SKIN_ANALYSIS_NOT_FOUND", 404
    # Compare needs two finished analyses: a pending or failed one has no scores.
    SKIN_ANALYSIS_NOT_DONE = "SKIN_ANALYSIS_NOT_DONE", 409


export_members(SkinAnalysisErrorCode, globals())
