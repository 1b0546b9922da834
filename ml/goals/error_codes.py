"""Error codes of goals and achievements."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class GoalErrorCode(ErrorCode):
    GOAL_NOT_FOUND = "GOAL_NOT_FOUND", 404, _("Goal not found.")
    # The metric has no reading yet to start from (no finished skin analysis / no journal entry).
    GOAL_METRIC_NO_DATA = "GOAL_METRIC_NO_DATA", 400, _("There is no reading of this metric yet.")
    # The target must be above the starting value (every metric reads higher = healthier).
    GOAL_TARGET_NOT_ABOVE_START = (
        "GOAL_TARGET_NOT_ABOVE_START",
        400,
        _("The target must be above the starting value."),
    )
    GOAL_LIMIT_REACHED = "GOAL_LIMIT_REACHED", 409, _("You already have as many open goals as allowed.")


export_members(GoalErrorCode, globals())
