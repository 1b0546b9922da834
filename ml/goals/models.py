"""Goals (SMART: a metric, a target value, a deadline) and achievements (data: a metric and a
threshold), each unlocked once per user."""

from django.conf import settings
from django.db import models


class Achievement(models.Model):
    """Unlocked when the user's value of ``metric`` (``ml.goals.metrics.ACHIEVEMENT_METRICS``)
    reaches ``threshold``. Staff add more in the admin; the defaults come with a data migration."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    name_km = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=255)
    description_km = models.CharField(max_length=500, blank=True)
    metric = models.CharField(max_length=40)
    threshold = models.PositiveIntegerField(default=1)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(threshold__gte=1), name="achievement_threshold_gte_1")]

    def __str__(self):
        return self.name


class UserAchievement(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="unlocks")
    unlocked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-unlocked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "achievement"], name="achievement_unlocked_once")]

    def __str__(self):
        return f"{self.achievement_id} unlocked by {self.user_id}"


class GoalSource(models.TextChoices):
    USER = "user", "Set by the user"
    SUGGESTION = "suggestion", "Suggested from the latest reading"


class Goal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=150)
    metric = models.CharField(max_length=40)
    start_value = models.PositiveSmallIntegerField(help_text="The metric's latest reading when the goal was set.")
    target_value = models.PositiveSmallIntegerField()
    current_value = models.PositiveSmallIntegerField()
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the way from start to target.")
    deadline = models.DateField()
    source = models.CharField(max_length=12, choices=GoalSource.choices, default=GoalSource.USER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "reached_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_value__gt=models.F("start_value")), name="goal_target_above_start"
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="goal_progress_lte_100"),
        ]

    def __str__(self):
        return self.title


class GoalMilestone(models.Model):
    """25, 50, 75 and 100 % of a goal: reached (and announced) once."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    percent = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["percent"]
        constraints = [models.UniqueConstraint(fields=["goal", "percent"], name="goal_milestone_once")]

    def __str__(self):
        return f"{self.percent} % of goal {self.goal_id}"
