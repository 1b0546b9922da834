"""Reads of goals and achievements, always scoped to their owner."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ml.goals.metrics import ACHIEVEMENT_METRICS
from ml.goals.models import Achievement, Goal, GoalMilestone, UserAchievement

STATES = ("active", "reached", "missed")


def goal_state(goal, today=None) -> str:
    if goal.reached_at is not None:
        return "reached"
    return "missed" if goal.deadline < (today or timezone.localdate()) else "active"


def goal_list(*, user, state=None) -> QuerySet[Goal]:
    goals = Goal.objects.filter(user=user).prefetch_related(
        Prefetch("milestones", queryset=GoalMilestone.objects.order_by("percent"))
    )
    today = timezone.localdate()
    if state == "reached":
        goals = goals.filter(reached_at__isnull=False)
    elif state == "active":
        goals = goals.filter(reached_at__isnull=True, deadline__gte=today)
    elif state == "missed":
        goals = goals.filter(reached_at__isnull=True, deadline__lt=today)
    return goals.order_by("-created_at", "-id")


def goal_get(*, user, goal_id) -> Goal | None:
    return goal_list(user=user).filter(pk=goal_id).first()


@dataclass(frozen=True)
class AchievementStatus:
    achievement: Achievement
    unlocked_at: datetime | None
    value: int

    @property
    def progress(self) -> int:
        """Whole percent towards the threshold (100 once unlocked)."""
        if self.unlocked_at is not None:
            return 100
        return min(99, self.value * 100 // self.achievement.threshold)


def achievement_list(*, user) -> list[AchievementStatus]:
    """Every active achievement with the user's unlock time or progress: one query for the
    achievements, one for the unlocks and one per metric (a fixed number, whatever the counts)."""
    achievements = list(Achievement.objects.filter(is_active=True, metric__in=list(ACHIEVEMENT_METRICS)))
    unlocked = dict(UserAchievement.objects.filter(user=user).values_list("achievement_id", "unlocked_at"))
    needed = {a.metric for a in achievements if a.pk not in unlocked}
    values = {key: ACHIEVEMENT_METRICS[key].count(user) for key in sorted(needed)}
    return [
        AchievementStatus(achievement=a, unlocked_at=unlocked.get(a.pk), value=values.get(a.metric, a.threshold))
        for a in achievements
    ]
