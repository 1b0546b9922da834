from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from feedback.models import (
    ContactMethod,
    ContentType,
    ModerationItem,
    ModerationStatus,
    Notification,
    NotificationType,
    ProductFeedbackResponse,
    PushPlatform,
)
from shop.files.models import MediaType
from skincare.api.fields import datetime_text
from skincare.api.output import OutputSerializer


class UserBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class FilePreviewOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    media_type = serializers.ChoiceField(choices=MediaType.choices)
    url = serializers.CharField()
    thumbnail_url = serializers.CharField()
    is_public = serializers.BooleanField()


def _user_brief(user):
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name(), "email": user.email}


def file_preview(file, request=None):
    if file is None:
        return None
    from shop.files.services import file_url

    return {
        "public_id": str(file.public_id),
        "media_type": file.media_type,
        "url": file_url(file=file, request=request),
        "thumbnail_url": file_url(file=file, size="small", request=request),
        "is_public": file.is_public,
    }


class ModerationItemOutput(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    escalated_by = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = ModerationItem
        fields = [
            "id", "content_type", "content_id", "user", "content_text", "content_metadata", "file", "contains_files",
            "flagged_reasons", "auto_flagged", "auto_approved", "user_reported", "report_count", "spam_probability",
            "toxicity_score", "medical_claims_detected", "screen_details", "status", "reviewed_by", "review_notes",
            "reviewed_at", "priority_level", "escalated", "escalated_at", "escalated_by", "created_at", "updated_at",
        ]  # fmt: skip

    def get_user(self, item) -> UserBriefOutput(allow_null=True):
        return _user_brief(item.user)

    def get_reviewed_by(self, item) -> UserBriefOutput(allow_null=True):
        return _user_brief(item.reviewed_by)

    def get_escalated_by(self, item) -> UserBriefOutput(allow_null=True):
        return _user_brief(item.escalated_by)

    def get_file(self, item) -> FilePreviewOutput(allow_null=True):
        return file_preview(item.file, self.context.get("request"))


class QueueFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "all", *ModerationStatus.values], required=False)
    content_type = serializers.ChoiceField(choices=ContentType.values, required=False)
    escalated = serializers.BooleanField(required=False, allow_null=True, default=None)
    reported = serializers.BooleanField(required=False, allow_null=True, default=None)
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False)
    sort = serializers.ChoiceField(choices=["priority", "oldest", "newest", "reports"], required=False)


@extend_schema_serializer(component_name="ModerationDecisionInput")
class DecisionInput(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


BULK_ACTIONS = ["approve", "reject", "escalate"]


class BulkActionInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), min_length=1, max_length=100
    )
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StatsInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False, default=30)


class NotificationOutput(serializers.ModelSerializer):
    action_buttons = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "type", "title", "message", "action_url", "thumbnail_url", "action_buttons", "related_type",
            "related_id", "related_key", "is_read", "read_at", "priority", "created_at", "expires_at",
        ]  # fmt: skip


def _buttons(buttons):
    """``action_buttons`` as ``ListField(child=DictField())`` writes it (keys as strings)."""
    return [None if button is None else {str(key): value for key, value in button.items()} for button in buttons]


def notification_rows(rows):
    """``NotificationOutput`` of the value rows of ``notifications_page``, without a serializer per row (the
    same keys, in the same order, with the same values: ``test_notification_rows_match_the_serializer``)."""
    zone = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "type": row["type"],
            "title": row["title"],
            "message": row["message"],
            "action_url": row["action_url"],
            "thumbnail_url": row["thumbnail_url"],
            "action_buttons": _buttons(row["action_buttons"]),
            "related_type": row["related_type"],
            "related_id": row["related_id"],
            "related_key": row["related_key"],
            "is_read": row["is_read"],
            "read_at": datetime_text(row["read_at"], zone),
            "priority": row["priority"],
            "created_at": datetime_text(row["created_at"], zone),
            "expires_at": datetime_text(row["expires_at"], zone),
        }
        for row in rows
    ]


class NotificationFilterInput(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)
    type = serializers.ChoiceField(choices=NotificationType.values, required=False)


class PreferencesInput(serializers.Serializer):
    email_enabled = serializers.BooleanField(required=False)
    push_enabled = serializers.BooleanField(required=False)
    types = serializers.DictField(child=serializers.DictField(child=serializers.BooleanField()), required=False)


class PushDeviceInput(serializers.Serializer):
    token = serializers.CharField(max_length=512)
    platform = serializers.ChoiceField(choices=PushPlatform.choices, default=PushPlatform.ANDROID)


class PushDeviceDeleteInput(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class ProductFeedbackInput(serializers.Serializer):
    responses = serializers.JSONField()
    overall_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    order_item_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    allow_followup_contact = serializers.BooleanField(required=False, default=False)
    preferred_contact_method = serializers.ChoiceField(
        choices=ContactMethod.choices, required=False, allow_blank=True, default=""
    )


class ProductBriefOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the request's language (Khmer when name_km is set).")
    name_km = serializers.CharField()
    slug = serializers.CharField()


class ProductFeedbackOutput(serializers.ModelSerializer):
    product = serializers.SerializerMethodField()

    class Meta:
        model = ProductFeedbackResponse
        fields = [
            "id", "product", "order_item_id", "responses", "overall_rating", "allow_followup_contact",
            "preferred_contact_method", "processed_for_analytics", "created_at",
        ]  # fmt: skip

    def get_product(self, response) -> ProductBriefOutput:
        product = response.product
        return {"id": product.pk, "name": product.name, "name_km": product.name_km, "slug": product.slug}


# --- Documentation of the hand-built answers (the views return plain dicts) ---------------------


ModerationByStatusOutput = type(
    "ModerationByStatusOutput",
    (serializers.Serializer,),
    {value: serializers.IntegerField() for value in ModerationStatus.values},
)


class ModerationOpenOutput(serializers.Serializer):
    total = serializers.IntegerField()
    by_content_type = serializers.DictField(
        child=serializers.IntegerField(), help_text="Content type -> open items (types with none are left out)."
    )
    escalated = serializers.IntegerField()
    reported = serializers.IntegerField()
    flagged = serializers.IntegerField(help_text="Items needing review.")
    high_priority = serializers.IntegerField(help_text="Priority 1 or 2.")


class ModerationDecisionsOutput(serializers.Serializer):
    automatic_approvals = serializers.IntegerField()
    manual_approved = serializers.IntegerField()
    manual_rejected = serializers.IntegerField()


class TimeToDecisionOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Manual decisions measured.")
    average_seconds = serializers.IntegerField(allow_null=True)
    median_seconds = serializers.IntegerField(allow_null=True)


class ModerationStatsOutput(serializers.Serializer):
    by_status = ModerationByStatusOutput(help_text="All items by status.")
    open = ModerationOpenOutput(help_text="Items pending or needing review.")
    oldest_open_age_seconds = serializers.IntegerField(allow_null=True)
    window_days = serializers.IntegerField(help_text="Decisions and timing cover this many days.")
    decisions = ModerationDecisionsOutput()
    time_to_decision = TimeToDecisionOutput()


class NotificationsUpdatedOutput(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Unread notifications (dismissed and expired ones left out).")


class NotificationChannelsOutput(serializers.Serializer):
    email = serializers.BooleanField()
    push = serializers.BooleanField()
    in_app = serializers.BooleanField(help_text="Always true.")


NotificationTypeChannelsOutput = type(
    "NotificationTypeChannelsOutput",
    (serializers.Serializer,),
    {value: NotificationChannelsOutput() for value in NotificationType.values},
)


class PreferencesOutput(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    push_enabled = serializers.BooleanField()
    types = NotificationTypeChannelsOutput(help_text="Effective channels of every notification type.")


class PushDeviceOutput(serializers.Serializer):
    token = serializers.CharField()
    platform = serializers.ChoiceField(choices=PushPlatform.choices)
