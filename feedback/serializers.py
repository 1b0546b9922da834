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

    def get_user(self, item):
        return _user_brief(item.user)

    def get_reviewed_by(self, item):
        return _user_brief(item.reviewed_by)

    def get_escalated_by(self, item):
        return _user_brief(item.escalated_by)

    def get_file(self, item):
        return file_preview(item.file, self.context.get("request"))


class QueueFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "all", *ModerationStatus.values], required=False)
    content_type = serializers.ChoiceField(choices=ContentType.values, required=False)
    escalated = serializers.BooleanField(required=False, allow_null=True, default=None)
    reported = serializers.BooleanField(required=False, allow_null=True, default=None)
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False)
    ordering = serializers.ChoiceField(choices=["priority", "oldest", "newest", "reports"], required=False)


class DecisionInput(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BulkActionInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=100)
    action = serializers.ChoiceField(choices=["approve", "reject", "escalate"])
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StatsInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False, default=30)


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id", "type", "title", "message", "action_url", "thumbnail_url", "action_buttons", "related_type",
            "related_id", "is_read", "read_at", "priority", "created_at", "expires_at",
        ]  # fmt: skip


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
    order_item_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    allow_followup_contact = serializers.BooleanField(required=False, default=False)
    preferred_contact_method = serializers.ChoiceField(
        choices=ContactMethod.choices, required=False, allow_blank=True, default=""
    )


class ProductFeedbackOutput(serializers.ModelSerializer):
    product = serializers.SerializerMethodField()

    class Meta:
        model = ProductFeedbackResponse
        fields = [
            "id", "product", "order_item_id", "responses", "overall_rating", "allow_followup_contact",
            "preferred_contact_method", "processed_for_analytics", "created_at",
        ]  # fmt: skip

    def get_product(self, response):
        return {"id": response.product_id, "name": response.product.name, "slug": response.product.slug}
