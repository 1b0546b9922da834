"""Every row lock of goals: the goal row, so two refreshes (two readings at once) record and
announce each milestone once."""

from ml.goals.models import Goal


def goal_lock(*, goal_id) -> Goal | None:
    return Goal.objects.filter(pk=goal_id).order_by("pk").select_for_update(of=("self",)).first()
