"""Admin: achievements are data (admins add or retire them); goals and unlocks are read-only records."""

from django import forms
from django.contrib import admin

from ml.goals.metrics import ACHIEVEMENT_METRICS
from ml.goals.models import Achievement, Goal, UserAchievement


class AchievementForm(forms.ModelForm):
    metric = forms.ChoiceField(choices=[(key, str(m.label)) for key, m in ACHIEVEMENT_METRICS.items()])

    class Meta:
        model = Achievement
        fields = [
            *("key", "name", "name_km", "description", "description_km"),
            *("metric", "threshold", "sort_order", "is_active"),
        ]


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    form = AchievementForm
    list_display = ("name", "key", "metric", "threshold", "is_active", "sort_order")
    list_filter = ("is_active", "metric")
    search_fields = ("name", "name_km", "key")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserAchievement)
class UserAchievementAdmin(_ReadOnly):
    list_display = ("user", "achievement", "unlocked_at")
    list_select_related = ("user", "achievement")
    search_fields = ("user__email",)


@admin.register(Goal)
class GoalAdmin(_ReadOnly):
    list_display = ("title", "user", "metric", "start_value", "target_value", "progress", "deadline", "reached_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "title")
