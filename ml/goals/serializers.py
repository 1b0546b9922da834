from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.goals.metrics import GOAL_METRICS
from ml.goals.models import GoalSource
from ml.goals.selectors import STATES, goal_state

METRIC_CHOICES = [(key, str(metric.label)) for key, metric in GOAL_METRICS.items()]


def localized(obj, field, request):
    """``X`` in the request's language when ``X_km`` is set (the API's content rule), ``X_km`` beside it."""
    value, value_km = getattr(obj, field), getattr(obj, f"{field}_km")
    language = getattr(request, "LANGUAGE_CODE", "en") if request is not None else "en"
    return value_km if language == "km" and value_km else value


class MilestoneOutput(serializers.Serializer):
    percent = serializers.IntegerField()
    reached_at = serializers.DateTimeField()


class GoalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    metric = serializers.ChoiceField(choices=METRIC_CHOICES)
    metric_label = serializers.SerializerMethodField()
    metric_source = serializers.SerializerMethodField()
    start_value = serializers.IntegerField()
    target_value = serializers.IntegerField()
    current_value = serializers.IntegerField()
    progress = serializers.IntegerField(help_text="Percent of the way from start_value to target_value (0-100).")
    deadline = serializers.DateField()
    state = serializers.SerializerMethodField()
    source = serializers.ChoiceField(choices=GoalSource.choices)
    milestones = MilestoneOutput(many=True, source="milestones.all")
    created_at = serializers.DateTimeField()
    reached_at = serializers.DateTimeField(allow_null=True)

    def get_metric_label(self, goal) -> str:
        return str(GOAL_METRICS[goal.metric].label)

    @extend_schema_field(serializers.ChoiceField(choices=[("analysis", "Skin analysis"), ("journal", "Journal")]))
    def get_metric_source(self, goal) -> str:
        return GOAL_METRICS[goal.metric].source

    @extend_schema_field(serializers.ChoiceField(choices=[(s, s) for s in STATES]))
    def get_state(self, goal) -> str:
        return goal_state(goal)


class GoalInput(serializers.Serializer):
    metric = serializers.ChoiceField(choices=METRIC_CHOICES)
    target_value = serializers.IntegerField(min_value=1, max_value=100)
    deadline = serializers.DateField()
    title = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    from_suggestion = serializers.BooleanField(required=False, default=False)

    def validate_deadline(self, value):
        if value <= timezone.localdate():
            raise serializers.ValidationError(gettext("The deadline must be in the future."))
        return value

    def validate(self, data):
        scale = GOAL_METRICS[data["metric"]].scale_max
        if data["target_value"] > scale:
            raise serializers.ValidationError(
                {"target_value": [gettext("At most %(scale)s for this metric.") % {"scale": scale}]}
            )
        return data


class GoalFilter(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s, s) for s in STATES], required=False)


class GoalSuggestionOutput(serializers.Serializer):
    metric = serializers.ChoiceField(choices=METRIC_CHOICES)
    title = serializers.CharField()
    start_value = serializers.IntegerField()
    target_value = serializers.IntegerField()
    deadline = serializers.DateField()


class AchievementOutput(serializers.Serializer):
    key = serializers.CharField(source="achievement.key")
    name = serializers.SerializerMethodField()
    name_km = serializers.CharField(source="achievement.name_km")
    description = serializers.SerializerMethodField()
    description_km = serializers.CharField(source="achievement.description_km")
    metric = serializers.CharField(source="achievement.metric")
    threshold = serializers.IntegerField(source="achievement.threshold")
    value = serializers.IntegerField(help_text="The user's count on the metric (the threshold once unlocked).")
    progress = serializers.IntegerField(help_text="Percent towards the threshold; 100 once unlocked.")
    unlocked = serializers.SerializerMethodField()
    unlocked_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, status) -> str:
        return localized(status.achievement, "name", self.context.get("request"))

    def get_description(self, status) -> str:
        return localized(status.achievement, "description", self.context.get("request"))

    def get_unlocked(self, status) -> bool:
        return status.unlocked_at is not None
