"""Reviews, Q&A and progress in the Django admin. Visibility changes only through moderation
(``feedback.services``) so counters and notifications stay right."""

from django.contrib import admin, messages
from django.utils.html import format_html

from reviews import qa, services
from reviews.dashboard_panels import AWAITING_EXPERT
from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review, ReviewMedia
from reviews.selectors import questions_awaiting_expert
from shop.accounts.roles import VERIFY_ANSWER
from skincare.errors import ApplicationError


def _each(modeladmin, request, queryset, handler):
    done = failed = 0
    for obj in queryset[:100]:
        try:
            handler(obj)
            done += 1
        except ApplicationError:
            failed += 1
    modeladmin.message_user(request, f"{done} done, {failed} skipped.", messages.SUCCESS)


@admin.action(description="Approve selected reviews", permissions=["change"])
def approve_reviews(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, lambda r: services.review_approve(review=r, by=request.user))


@admin.action(description="Reject selected reviews", permissions=["change"])
def reject_reviews(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, lambda r: services.review_reject(review=r, by=request.user))


@admin.action(description="Flag / escalate selected reviews", permissions=["change"])
def flag_reviews(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, lambda r: services.review_flag(review=r, by=request.user))


@admin.action(description="Delete selected reviews (counters recomputed)", permissions=["remove"])
def delete_reviews(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        lambda r: services.review_delete(user=request.user, review_id=r.pk, by_staff=True),
    )


class CustomerContentAdmin(admin.ModelAdmin):
    """A customer's words and ratings are theirs: staff read them and hide or reject them through moderation
    (the actions), but never rewrite them here - an edited rating would also skip the rating counters."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + [
            name for name in self.readonly_fields if not hasattr(self.model, name)
        ]

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)


class ReviewMediaInline(admin.TabularInline):
    model = ReviewMedia
    extra = 0
    fields = ["preview", "photo_type", "status", "skin_area", "days_of_usage"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="photo")
    def preview(self, media):
        from shop.files.services import file_url

        return format_html('<img src="{}" style="max-height:80px">', file_url(file=media.file, size="small"))


@admin.register(Review)
class ReviewAdmin(CustomerContentAdmin):
    list_display = [
        "id", "product", "user", "rating", "title", "status", "is_verified_purchase", "helpful_votes_count",
        "media_count", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "rating", "is_verified_purchase", "skin_type_at_review", "has_photos", "visible_results"]
    search_fields = ["title", "review_text", "user__email", "product__name"]
    list_select_related = ["product", "user"]
    raw_id_fields = ["product", "user", "order_item"]
    readonly_fields = ["status", "helpful_votes_count", "unhelpful_votes_count", "total_votes_count", "approved_at"]
    actions = [approve_reviews, reject_reviews, flag_reviews, delete_reviews]
    inlines = [ReviewMediaInline]

    def has_delete_permission(self, request, obj=None):
        return False  # the "delete" action goes through reviews.services.review_delete

    def has_remove_permission(self, request):
        return request.user.has_perm("reviews.delete_review")


@admin.action(description="Approve selected (through moderation)", permissions=["change"])
def approve_qa(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, lambda obj: qa.qa_approve(obj=obj, by=request.user))


class AwaitingExpertFilter(admin.SimpleListFilter):
    title = "expert answer"
    parameter_name = "expert"

    def lookups(self, request, model_admin):
        return [(AWAITING_EXPERT, "Waiting for an expert")]

    def queryset(self, request, queryset):
        if self.value() == AWAITING_EXPERT:
            return queryset.filter(pk__in=questions_awaiting_expert().values("pk"))
        return queryset


@admin.register(Question)
class QuestionAdmin(CustomerContentAdmin):
    list_display = ["id", "product", "user", "question", "question_category", "urgency_level", "status", "answer_count"]
    list_filter = [AwaitingExpertFilter, "status", "question_category", "urgency_level", "is_answered"]
    search_fields = ["question", "user__email"]
    list_select_related = ["product", "user"]
    raw_id_fields = ["product", "user"]
    readonly_fields = ["status", "answer_count", "helpful_votes"]
    actions = [approve_qa]


@admin.action(description="Verify selected answers", permissions=["verify"])
def verify_answers(modeladmin, request, queryset):
    _each(modeladmin, request, queryset, lambda a: qa.answer_verify(answer_id=a.pk, by=request.user))


@admin.register(Answer)
class AnswerAdmin(CustomerContentAdmin):
    list_display = ["id", "question", "user", "status", "is_from_expert", "is_from_verified_buyer",
                    "is_verified_by_admin", "helpful_votes"]  # fmt: skip
    list_filter = ["status", "is_from_expert", "is_from_verified_buyer", "is_verified_by_admin"]
    search_fields = ["answer", "user__email"]
    list_select_related = ["question", "user"]
    raw_id_fields = ["question", "user", "verified_by"]
    readonly_fields = ["status", "helpful_votes", "unhelpful_votes"]
    actions = [approve_qa, verify_answers]

    def has_verify_permission(self, request):
        return request.user.has_perm(VERIFY_ANSWER)


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    extra = 0
    fields = ["week_number", "overall_satisfaction", "skin_improvement", "side_effects_severity", "photo_count"]
    readonly_fields = fields


@admin.register(ProgressJournal)
class ProgressJournalAdmin(CustomerContentAdmin):
    list_display = ["id", "user", "product", "status", "is_public", "entry_count", "started_at"]
    list_filter = ["status", "is_public"]
    raw_id_fields = ["user", "product"]
    list_select_related = ["user", "product"]
    inlines = [ProgressEntryInline]
