"""Goals and achievements: writes and the rules behind them.

Achievements are unlocked by ``achievements_evaluate`` (called from event receivers): each active
achievement the user has not unlocked yet whose metric reaches its threshold gets one
``UserAchievement`` row (unique per user and achievement, so a repeated or concurrent event cannot
unlock it twice) and one notification (in-app, plus e-mail and push as the user's preferences say).

A goal's progress is the share of the way from its start value (the metric's latest reading when
the goal was set) to its target, read from the newest reading since then. Each of 25/50/75/100 %
is recorded once (``GoalMilestone``) and announced; 100 % marks the goal reached.
"""

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback import services as feedback_services
from feedback.models import NotificationType
from ml.goals import error_codes, lock_objects
from ml.goals.metrics import ACHIEVEMENT_METRICS, GOAL_METRICS, latest_reading
from ml.goals.models import Achievement, Goal, GoalMilestone, GoalSource, UserAchievement
from skincare.errors import ApplicationError

MILESTONES = (25, 50, 75, 100)
MAX_OPEN_GOALS = 10


def _in_language(user, text, text_km):
    return text_km if user.language == "km" and text_km else text


# --- Achievements --------------------------------------------------------------------------------


def achievements_evaluate(*, user, metrics=None) -> list[UserAchievement]:
    """Unlock what the user has earned (only achievements on ``metrics`` when given); returns the
    newly unlocked ones."""
    pending = Achievement.objects.filter(is_active=True).exclude(unlocks__user=user)
    if metrics is not None:
        pending = pending.filter(metric__in=list(metrics))
    values = {}
    unlocked = []
    for achievement in pending:
        metric = ACHIEVEMENT_METRICS.get(achievement.metric)
        if metric is None:
            continue
        if achievement.metric not in values:
            values[achievement.metric] = metric.count(user)
        if values[achievement.metric] < achievement.threshold:
            continue
        try:
            with transaction.atomic():
                unlock = UserAchievement.objects.create(user=user, achievement=achievement)
        except IntegrityError:  # a concurrent event unlocked it first
            continue
        _announce_achievement(user, achievement)
        unlocked.append(unlock)
    return unlocked


def _announce_achievement(user, achievement):
    with translation.override(user.language or "en"):
        name = _in_language(user, achievement.name, achievement.name_km)
        feedback_services.notification_create(
            user=user,
            type=NotificationType.ACHIEVEMENT,
            title=_("Achievement unlocked: %(name)s") % {"name": name},
            message=_in_language(user, achievement.description, achievement.description_km),
            action_url="/account/achievements/",
            related_type="achievement",
            related_id=achievement.pk,
            related_key=achievement.key,
        )


# --- Goals -------------------------------------------------------------------------------------


def _metric(key):
    metric = GOAL_METRICS.get(key)
    if metric is None:  # the serializer's choices keep unknown keys out; services are called directly too
        raise ValueError(f"Unknown goal metric {key!r}")
    return metric


def goal_title(metric_key, target):
    return _("%(metric)s to %(target)s") % {"metric": GOAL_METRICS[metric_key].label, "target": target}


@transaction.atomic
def goal_create(*, user, metric, target_value, deadline, title="", source=GoalSource.USER) -> Goal:
    definition = _metric(metric)
    reading = latest_reading(metric, user)
    if reading is None:
        message = (
            _("Take a skin analysis first: the goal starts from your latest result.")
            if definition.source == "analysis"
            else _("Write a progress journal entry first: the goal starts from your latest rating.")
        )
        raise ApplicationError(error_codes.GOAL_METRIC_NO_DATA, message)
    start = reading[1]
    if target_value <= start:
        raise ApplicationError(
            error_codes.GOAL_TARGET_NOT_ABOVE_START,
            _("Your latest %(metric)s is %(start)s: set a target above it.")
            % {"metric": definition.label, "start": start},
            errors={"target_value": [_("Must be above %(start)s.") % {"start": start}]},
        )
    if Goal.objects.filter(user=user, reached_at__isnull=True, deadline__gte=timezone.localdate()).count() >= (
        MAX_OPEN_GOALS
    ):
        raise ApplicationError(
            error_codes.GOAL_LIMIT_REACHED,
            _("You have %(count)s open goals: finish or delete one first.") % {"count": MAX_OPEN_GOALS},
        )
    return Goal.objects.create(
        user=user,
        title=title or goal_title(metric, target_value),
        metric=metric,
        start_value=start,
        target_value=target_value,
        current_value=start,
        deadline=deadline,
        source=source,
    )


def goal_progress_percent(*, start, target, current) -> int:
    """Whole percent of the way from ``start`` to ``target`` (0-100, floored: 99.9 % is not done)."""
    if current <= start:
        return 0
    return min(100, math.floor((current - start) * 100 / (target - start)))


def goal_progress_refresh(*, goal) -> list[int]:
    """Re-read the goal's metric; record and announce new milestones. Returns the new ones."""
    with transaction.atomic():
        locked = lock_objects.goal_lock(goal_id=goal.pk)
        if locked is None or locked.reached_at is not None or locked.deadline < timezone.localdate():
            return []
        goal = locked
        reading = latest_reading(goal.metric, goal.user, since=goal.created_at)
        current = goal.start_value if reading is None else reading[1]
        progress = goal_progress_percent(start=goal.start_value, target=goal.target_value, current=current)
        known = set(GoalMilestone.objects.filter(goal=goal).values_list("percent", flat=True))
        new = [m for m in MILESTONES if progress >= m and m not in known]
        GoalMilestone.objects.bulk_create([GoalMilestone(goal=goal, percent=m) for m in new])
        goal.current_value, goal.progress = current, progress
        if progress >= 100:
            goal.reached_at = timezone.now()
        goal.save(update_fields=["current_value", "progress", "reached_at", "updated_at"])
        if new:
            _announce_milestone(goal, max(new))
    if goal.reached_at is not None:
        achievements_evaluate(user=goal.user, metrics=["goals_reached"])
    return new


def goals_refresh_for(*, user, metric_source) -> int:
    """Refresh the user's open goals on metrics of one source (after a new analysis or journal entry)."""
    keys = [key for key, metric in GOAL_METRICS.items() if metric.source == metric_source]
    goals = Goal.objects.filter(
        user=user, metric__in=keys, reached_at__isnull=True, deadline__gte=timezone.localdate()
    ).select_related("user")
    count = 0
    for goal in goals:
        goal_progress_refresh(goal=goal)
        count += 1
    return count


def _announce_milestone(goal, percent):
    user = goal.user
    with translation.override(user.language or "en"):
        if percent == 100:
            title = _("Goal reached: %(title)s") % {"title": goal.title}
            message = _("You reached %(target)s. Well done!") % {"target": goal.target_value}
        else:
            title = _("%(percent)s%% of your goal: %(title)s") % {"percent": percent, "title": goal.title}
            message = _("Now at %(current)s, on the way from %(start)s to %(target)s.") % {
                "current": goal.current_value, "start": goal.start_value, "target": goal.target_value,
            }  # fmt: skip
        feedback_services.notification_create(
            user=user,
            type=NotificationType.GOAL,
            title=title,
            message=message,
            action_url="/account/goals/",
            related_type="goal",
            related_id=goal.pk,
        )


def goal_delete(*, user, goal_id) -> None:
    deleted, _rows = Goal.objects.filter(user=user, pk=goal_id).delete()
    if not deleted:
        raise ApplicationError(error_codes.GOAL_NOT_FOUND, _("Goal not found."))


def goal_suggestions(*, user, today=None) -> list[dict]:
    """Up to three goals for the user's weakest readings: the three lowest skin-analysis scores
    under 85 of the latest analysis (target +15, capped at 100), else the journal's skin
    improvement when it is under 5. Eight weeks to get there. Metrics with an open goal are skipped."""
    from ml.skin_analysis.selectors import skin_analysis_latest

    today = today or timezone.localdate()
    deadline = today + timedelta(weeks=8)
    open_metrics = set(
        Goal.objects.filter(user=user, reached_at__isnull=True, deadline__gte=today).values_list("metric", flat=True)
    )
    suggestions = []
    analysis = skin_analysis_latest(user=user)
    if analysis is not None:
        weakest = sorted((value, key) for key, value in analysis.metrics.items() if value is not None and value < 85)
        for value, key in weakest:
            if key in open_metrics:
                continue
            target = min(100, value + 15)
            suggestions.append({"metric": key, "start_value": value, "target_value": target, "deadline": deadline,
                                "title": goal_title(key, target)})  # fmt: skip
            if len(suggestions) == 3:
                break
    if not suggestions and "journal_skin_improvement" not in open_metrics:
        reading = latest_reading("journal_skin_improvement", user)
        if reading is not None and reading[1] < 5:
            target = reading[1] + 1
            suggestions.append({"metric": "journal_skin_improvement", "start_value": reading[1],
                                "target_value": target, "deadline": deadline,
                                "title": goal_title("journal_skin_improvement", target)})  # fmt: skip
    return suggestions
