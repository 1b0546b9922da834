"""Moderation in the Django admin: the queue with filters, text and photo previews and bulk
approve / reject / escalate. Every action goes through ``feedback.services``."""

from django.contrib import admin, messages
from django.utils.html import format_html

from feedback import services
from feedback.models import (
    OPEN_STATUSES,
    ModerationItem,
    ModerationReport,
    Notification,
    NotificationPreference,
    ProductFeedbackResponse,
    PushDevice,
)


class OpenFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", "Open (pending + flagged)"), ("escalated", "Escalated and open"), ("reported", "Reported")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "escalated":
            return queryset.filter(status__in=OPEN_STATUSES, escalated=True)
        if self.value() == "reported":
            return queryset.filter(user_reported=True)
        return queryset


class ReportInline(admin.TabularInline):
    model = ModerationReport
    extra = 0
    can_delete = False
    readonly_fields = ["reporter", "reason", "details", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, action):
    result = services.moderation_bulk_action(
        ids=list(queryset.values_list("pk", flat=True)[: services.MAX_BULK]), action=action, by=request.user
    )
    modeladmin.message_user(
        request, f"{action}: {len(result['done'])} done, {len(result['skipped'])} skipped.", messages.SUCCESS
    )


@admin.action(description="Approve selected content", permissions=["change"])
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "approve")


@admin.action(description="Reject selected content (hidden from other users)", permissions=["change"])
def reject(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "reject")


@admin.action(description="Escalate selected content", permissions=["change"])
def escalate(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "escalate")


@admin.register(ModerationItem)
class ModerationItemAdmin(admin.ModelAdmin):
    list_display = [
        "id", "content_type", "content_id", "status", "priority_level", "escalated", "text_preview", "photo_preview",
        "reasons", "spam_probability", "toxicity_score", "report_count", "user", "created_at",
    ]  # fmt: skip
    list_filter = [
        OpenFilter, "status", "content_type", "escalated", "priority_level", "auto_flagged", "medical_claims_detected",
        "user_reported",
    ]  # fmt: skip
    search_fields = ["content_text", "user__email"]
    list_select_related = ["user", "file"]
    ordering = ["-escalated", "priority_level", "created_at"]
    actions = [approve, reject, escalate]
    inlines = [ReportInline]
    readonly_fields = [
        "content_type", "content_id", "user", "content_text", "content_metadata", "photo_large", "flagged_reasons",
        "auto_flagged", "auto_approved", "user_reported", "report_count", "spam_probability", "toxicity_score",
        "medical_claims_detected", "screen_details", "status", "reviewed_by", "reviewed_at", "escalated",
        "escalated_at", "escalated_by", "created_at", "updated_at", "file",
    ]  # fmt: skip
    fields = [*readonly_fields, "review_notes", "priority_level"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="text")
    def text_preview(self, item):
        text = item.content_text or ""
        return text[:120] + ("…" if len(text) > 120 else "")

    @admin.display(description="reasons")
    def reasons(self, item):
        return ", ".join(item.flagged_reasons or [])

    def _thumb(self, item, size):
        if item.file is None:
            return "-"
        from shop.files.services import file_url

        return format_html('<img src="{}" style="max-width:{}px;max-height:{}px">', file_url(file=item.file,
                           size="small"), size, size)  # fmt: skip

    @admin.display(description="photo")
    def photo_preview(self, item):
        return self._thumb(item, 80)

    @admin.display(description="photo")
    def photo_large(self, item):
        return self._thumb(item, 400)

    def save_model(self, request, obj, form, change):
        """Only notes and priority are edited here; decisions go through the actions."""
        ModerationItem.objects.filter(pk=obj.pk).update(
            review_notes=obj.review_notes, priority_level=obj.priority_level
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "type", "title", "is_read", "email_sent", "push_sent", "created_at"]
    list_filter = ["type", "is_read", "email_sent", "push_sent", "priority"]
    search_fields = ["user__email", "title"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "file"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "push_enabled", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(PushDevice)
class PushDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "platform", "is_active", "last_seen_at"]
    list_filter = ["platform", "is_active"]
    raw_id_fields = ["user"]


@admin.register(ProductFeedbackResponse)
class ProductFeedbackResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "product", "overall_rating", "allow_followup_contact", "created_at"]
    list_filter = ["overall_rating", "processed_for_analytics"]
    raw_id_fields = ["user", "product", "order_item"]
