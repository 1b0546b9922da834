"""Moderation in the Django admin: the queue with filters, text and photo previews and bulk
approve / reject / escalate. Every action goes through ``feedback.services``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

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
from feedback.selectors import moderation_queue
from skincare.errors import ApplicationError


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


SKIP_REASONS = {
    "MODERATION_ALREADY_DECIDED": "already decided that way",
    "NOT_FOUND": "no longer exists",
}
DONE = {"approve": "approved", "reject": "rejected", "escalate": "escalated"}


def _run(modeladmin, request, queryset, action):
    """Through ``moderation_bulk_action``; says which items changed and which were skipped, and why."""
    result = services.moderation_bulk_action(
        ids=list(queryset.values_list("pk", flat=True)[: services.MAX_BULK]), action=action, by=request.user
    )
    if result["done"]:
        ids = ", ".join(f"#{pk}" for pk in result["done"])
        modeladmin.message_user(request, f"{len(result['done'])} item(s) {DONE[action]}: {ids}.", messages.SUCCESS)
    for skipped in result["skipped"]:
        reason = SKIP_REASONS.get(skipped["code"], skipped["message"])
        modeladmin.message_user(request, f"#{skipped['id']} not {DONE[action]}: {reason}.", messages.WARNING)
    if not result["done"]:
        modeladmin.message_user(request, f"No item was {DONE[action]}.", messages.WARNING)


@admin.action(description="Approve selected content", permissions=["change"])
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "approve")


@admin.action(description="Reject selected content (hidden from other users)", permissions=["change"])
def reject(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "reject")


@admin.action(description="Escalate selected content", permissions=["change"])
def escalate(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "escalate")


# Where the moderated content lives in the admin (URL names only: feedback never imports reviews).
CONTENT_ADMIN_URLS = {
    "review": ("admin:reviews_review_change", "content_id"),
    "question": ("admin:reviews_question_change", "content_id"),
    "answer": ("admin:reviews_answer_change", "content_id"),
    "review_photo": ("admin:reviews_review_change", "review_id"),
    "progress_note": ("admin:reviews_progressjournal_change", "content_id"),
}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("escalate", "Escalate")])
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("notes") or "").strip():
            self.add_error("notes", "Say why the content is rejected (the author is told).")
        return data


def _next_open_item(item_id):
    """The item after ``item_id`` in the queue's order (priority, then oldest), or None."""
    return moderation_queue().exclude(pk=item_id).values_list("pk", flat=True).first()


@admin.register(ModerationItem)
class ModerationItemAdmin(admin.ModelAdmin):
    """The queue (readable at 1280 px) and the item page with approve / reject / escalate buttons."""

    change_form_template = "admin/feedback/moderationitem/change_form.html"
    list_display = [
        "id", "text_preview", "photo_preview", "author", "product_link", "content_type", "scores", "age",
        "report_count", "status", "escalated",
    ]  # fmt: skip
    list_display_links = ["id", "text_preview"]
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
        "content_type", "content_link", "author", "product_link", "content_full", "photo_large", "flagged_reasons",
        "auto_flagged", "auto_approved", "user_reported", "report_count", "spam_probability", "toxicity_score",
        "medical_claims_detected", "screen_details", "status", "reviewed_by", "reviewed_at", "escalated",
        "escalated_at", "escalated_by", "created_at", "updated_at", "content_metadata",
    ]  # fmt: skip
    fields = [*readonly_fields, "review_notes", "priority_level"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="content")
    def text_preview(self, item):
        text = item.content_text or ""
        return text[:120] + ("…" if len(text) > 120 else "")

    @admin.display(description="content")
    def content_full(self, item):
        return format_html(
            '<div class="moderation-content">{}</div>', linebreaks_filter(item.content_text or "—", autoescape=True)
        )

    @admin.display(description="reasons")
    def reasons(self, item):
        return ", ".join(item.flagged_reasons or [])

    @admin.display(description="scores")
    def scores(self, item):
        return f"spam {item.spam_probability} · toxic {item.toxicity_score}" + (
            " · medical" if item.medical_claims_detected else ""
        )

    @admin.display(description="age", ordering="created_at")
    def age(self, item):
        return timesince(item.created_at, timezone.now()).split(",")[0]

    @admin.display(description="author", ordering="user__email")
    def author(self, item):
        if item.user is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:accounts_user_change", args=[item.user_id]), item.user.email
        )

    @admin.display(description="product")
    def product_link(self, item):
        product_id = (item.content_metadata or {}).get("product_id")
        if not product_id:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:catalog_product_change", args=[product_id]), product_id
        )

    @admin.display(description="content page")
    def content_link(self, item):
        target = CONTENT_ADMIN_URLS.get(item.content_type)
        if target is None:
            return "—"
        url_name, key = target
        object_id = item.content_id if key == "content_id" else (item.content_metadata or {}).get(key)
        if not object_id:
            return "—"
        try:
            url = reverse(url_name, args=[object_id])
        except NoReverseMatch:
            return "—"
        return format_html('<a href="{}">{} #{}</a>', url, item.get_content_type_display(), object_id)

    def _thumb(self, item, size):
        if item.file is None:
            return "-"
        from shop.files.services import file_url

        return format_html('<img src="{}" alt="Photo under moderation" style="max-width:{}px;max-height:{}px">',
                           file_url(file=item.file, size="small"), size, size)  # fmt: skip

    @admin.display(description="photo")
    def photo_preview(self, item):
        return self._thumb(item, 80)

    @admin.display(description="photo")
    def photo_large(self, item):
        return self._thumb(item, 400)

    def save_model(self, request, obj, form, change):
        """Only notes and priority are edited here; decisions go through the buttons and actions."""
        ModerationItem.objects.filter(pk=obj.pk).update(
            review_notes=obj.review_notes, priority_level=obj.priority_level
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="feedback_moderationitem_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"decision_form": DecisionForm(), "can_decide": self.has_change_permission(request)}
        next_id = _next_open_item(object_id) if str(object_id).isdigit() else None
        if next_id:
            extra["next_item_url"] = reverse("admin:feedback_moderationitem_change", args=[next_id])
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def decide_view(self, request, object_id):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        item = get_object_or_404(ModerationItem, pk=object_id) if str(object_id).isdigit() else None
        if item is None:
            raise Http404
        change_url = reverse("admin:feedback_moderationitem_change", args=[item.pk])
        form = DecisionForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                for problem in problems:
                    self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(change_url)
        decision, notes = form.cleaned_data["decision"], form.cleaned_data["notes"]
        perform = {
            "approve": services.moderation_approve,
            "reject": services.moderation_reject,
            "escalate": services.moderation_escalate,
        }[decision]
        try:
            perform(item=item, by=request.user, notes=notes)
        except ApplicationError as exc:
            self.message_user(request, f"Item #{item.pk}: {exc.message}", messages.WARNING)
            return HttpResponseRedirect(change_url)
        done = {"approve": "approved", "reject": "rejected", "escalate": "escalated"}[decision]
        self.message_user(request, f"Item #{item.pk} {done}.", messages.SUCCESS)
        if decision == "escalate":
            return HttpResponseRedirect(change_url)
        next_id = _next_open_item(item.pk)
        if next_id:
            return HttpResponseRedirect(reverse("admin:feedback_moderationitem_change", args=[next_id]))
        self.message_user(request, "The queue is empty.", messages.INFO)
        return HttpResponseRedirect(f"{reverse('admin:feedback_moderationitem_changelist')}?queue=open")


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
