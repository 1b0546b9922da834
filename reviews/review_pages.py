"""The shopper's own reviews and questions as HTML pages: write or edit a review with before/after
photos, my reviews, ask a question, my questions. Same services as the API (``reviews.services``,
``reviews.qa``, ``shop.files.services``); a service error is shown next to its form with its 4xx.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework import serializers

from reviews import error_codes, qa, selectors, services
from reviews.media import media_remove
from reviews.models import ASPECT_FIELDS, ContentStatus, Review, UsageFrequency
from reviews.serializers import QuestionInput, ReviewInput
from shop.catalog.selectors import product_active_get
from shop.files.models import UploadContext
from shop.files.services import file_upload, file_url
from shop.storefront import labels
from shop.storefront.views import throttled, upload_throttle_check
from skincare.api.error_codes import ApiErrorCode
from skincare.api.exceptions import error_status
from skincare.errors import ApplicationError

PER_PAGE = 20
PHOTO_KINDS = ("before", "after")  # one file input each; ``photo_type`` of the review photo
TIMELINE = {"before": "baseline", "after": "final_results"}
TEXT_FIELDS = ("title", "review_text", "skin_condition_before", "skin_condition_after", "side_effects")
BOOLEAN_FIELDS = ("visible_results", "would_recommend")


class ReviewPageInput(ReviewInput):
    """The page's form: the API's review fields (same limits), photos as files with their days of use."""

    used_with_other_products = None
    photos = None
    before_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    after_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)


class QuestionPageInput(QuestionInput):
    photos = None
    skin_concerns_context = None
    age_range = None


def _field_errors(serializer_errors) -> dict:
    return {field: [str(error) for error in errors] for field, errors in serializer_errors.items()}


def _product_or_404(product_id):
    try:
        return product_active_get(product_id=product_id)
    except ApplicationError:
        raise Http404 from None


def _render_form(request, context, status):
    """The review form with each aspect and photo row's value and errors laid out for the template."""
    values, errors = context["values"], context["errors"]
    aspect_labels = (_("Effectiveness"), _("Texture"), _("Scent"), _("Packaging"), _("Value for money"))
    photo_labels = {"before": _("Before photo"), "after": _("After photo")}
    days_labels = {
        "before": _("Days of use when the before photo was taken"),
        "after": _("Days of use when the after photo was taken"),
    }
    context.update(
        {
            "ratings": [str(n) for n in range(1, 6)],
            "aspects": [
                {"field": field, "label": label, "value": values.get(field) or "", "errors": errors.get(field)}
                for field, label in zip(ASPECT_FIELDS, aspect_labels, strict=True)
            ],
            "photo_rows": [
                {
                    "kind": kind,
                    "label": photo_labels[kind],
                    "days_label": days_labels[kind],
                    "days": values.get(f"{kind}_days") or "",
                    "photo_errors": errors.get(f"{kind}_photo"),
                    "days_errors": errors.get(f"{kind}_days"),
                }
                for kind in PHOTO_KINDS
            ],
            "skin_types": {key: label for key, label in labels.SKIN_TYPES_FOR_FILTER.items() if key != "all"},
            "frequencies": {
                UsageFrequency.DAILY: _("Daily"),
                UsageFrequency.TWICE_DAILY: _("Twice daily"),
                UsageFrequency.TWO_THREE_A_WEEK: _("2-3 times a week"),
                UsageFrequency.WEEKLY: _("Weekly"),
                UsageFrequency.AS_NEEDED: _("As needed"),
            },
        }
    )
    return render(request, "reviews/review_form.html", context, status=status)


def _review_values(review) -> dict:
    """The form's values from a saved review (strings, as a posted form has them)."""
    values = {}
    for field in ("rating", "usage_duration", "skin_type_at_review", "how_often_used", *ASPECT_FIELDS, *TEXT_FIELDS):
        value = getattr(review, field)
        values[field] = "" if value is None else str(value)
    values["application_method"] = review.application_method
    for field in BOOLEAN_FIELDS:
        values[field] = "on" if getattr(review, field) else ""
    return values


def _upload_photos(request, data):
    """Each chosen file through the files service (type from the content, every frame checked), as a
    temporary upload the review then attaches; an unattached one expires with the cleanup job."""
    photos = []
    for kind in PHOTO_KINDS:
        upload = request.FILES.get(f"{kind}_photo")
        if upload is None:
            continue
        try:
            [uploaded] = file_upload(owner=request.user, context=UploadContext.REVIEW, uploads=[upload], temporary=True)
        except ApplicationError as exc:
            raise ApplicationError(exc.error_code, exc.message, errors={f"{kind}_photo": [exc.message]}) from exc
        photos.append(
            {
                "file_id": uploaded.public_id,
                "photo_type": kind,
                "timeline_context": TIMELINE[kind],
                "days_of_usage": data.get(f"{kind}_days"),
            }
        )
    return photos


def _save_review(request, *, product_id=None, review_id=None):
    """Validate, upload the photos, create or update. Returns (review, None) or (None, error context)."""
    form = ReviewPageInput(data=request.POST)
    if not form.is_valid():
        return None, {"errors": _field_errors(form.errors), "error": _("Please correct the fields marked below.")}, 400
    fields = dict(form.validated_data)
    days = {f"{kind}_days": fields.pop(f"{kind}_days", None) for kind in PHOTO_KINDS}
    try:
        if any(request.FILES.get(f"{kind}_photo") for kind in PHOTO_KINDS):
            limited = upload_throttle_check(request)
            if limited is not None:
                return None, {"throttled": limited}, 429
        photos = _upload_photos(request, days)
        if review_id is None:
            review = services.review_create(user=request.user, product_id=product_id, photos=photos, **fields)
        else:
            review = services.review_update(user=request.user, review_id=review_id, photos=photos, **fields)
    except ApplicationError as exc:
        if exc.error_code == error_codes.REVIEW_NOT_FOUND:
            raise Http404 from None
        errors = {name: [str(e) for e in errs] for name, errs in (exc.errors or {}).items()}
        return None, {"errors": errors, "error": exc.message}, error_status(exc)
    return review, None, 200


def _saved_message(request, review):
    if review.status == ContentStatus.APPROVED:
        messages.success(request, _("Thank you! Your review is published."))
    else:
        messages.success(
            request, _("Thank you! Your review is waiting for moderation and appears once it is approved.")
        )


@login_required
@require_http_methods(["GET", "POST"])
@throttled
def review_write(request, product_id):
    product = _product_or_404(product_id)
    existing = Review.objects.filter(product=product, user=request.user).values_list("pk", flat=True).first()
    if existing is not None:
        messages.info(request, _("You have already reviewed this product; you can edit your review here."))
        return HttpResponseRedirect(reverse("my-reviews:detail", args=[existing]))
    context = {
        "product": product,
        "values": {"skin_type_at_review": request.user.skin_type or "", "would_recommend": "on"},
        "errors": {},
    }
    status = 200
    if request.method == "POST":
        review, problem, status = _save_review(request, product_id=product.pk)
        if review is not None:
            _saved_message(request, review)
            return HttpResponseRedirect(reverse("my-reviews:detail", args=[review.pk]))
        if "throttled" in problem:
            return problem["throttled"]
        context.update(problem, values=request.POST)
    return _render_form(request, context, status)


def _own_review_context(request, review_id):
    review = selectors.user_reviews(user=request.user).filter(pk=review_id).first()
    if review is None:
        raise Http404
    photos = [
        {"media": media, "url": file_url(file=media.file), "thumbnail": file_url(file=media.file, size="small")}
        for media in review.media.all()
    ]
    return {"review": review, "product": review.product, "photos": photos, "errors": {}}


@login_required
@require_http_methods(["GET", "POST"])
@throttled
def review_edit(request, review_id):
    """The author's review: its moderation state, its photos, and the edit form (an edit goes back
    through moderation, as in the API)."""
    context = _own_review_context(request, review_id)
    context["values"] = _review_values(context["review"])
    status = 200
    if request.method == "POST":
        review, problem, status = _save_review(request, review_id=review_id)
        if review is not None:
            _saved_message(request, review)
            return HttpResponseRedirect(reverse("my-reviews:detail", args=[review.pk]))
        if "throttled" in problem:
            return problem["throttled"]
        context.update(problem, values=request.POST)
    return _render_form(request, context, status)


@login_required
@require_POST
@throttled
def review_delete(request, review_id):
    try:
        services.review_delete(user=request.user, review_id=review_id)
    except ApplicationError:
        raise Http404 from None
    messages.success(request, _("Your review is deleted."))
    return HttpResponseRedirect(reverse("my-reviews:list"))


@login_required
@require_POST
@throttled
def review_photo_remove(request, review_id, media_id):
    try:
        media_remove(user=request.user, kind="review", parent_id=review_id, media_id=media_id)
    except ApplicationError:
        raise Http404 from None
    messages.success(request, _("The photo is removed."))
    return HttpResponseRedirect(reverse("my-reviews:detail", args=[review_id]))


def _page(request, queryset):
    try:
        return Paginator(queryset, PER_PAGE).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404 from None


@login_required
@require_GET
def my_reviews(request):
    """Every review of the shopper in every moderation state, newest first (3 queries a page)."""
    return render(
        request, "reviews/my_reviews.html", {"page": _page(request, selectors.user_reviews(user=request.user))}
    )


@login_required
@require_GET
def my_questions(request):
    """The shopper's questions in every moderation state with their published answers (3 queries a page)."""
    page = _page(request, selectors.questions_for_user(user=request.user))
    return render(request, "reviews/my_questions.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@throttled
def question_ask(request, product_id):
    """Ask about a product. The product page posts its short form here; errors come back on this page."""
    product = _product_or_404(product_id)
    context = {
        "product": product,
        "values": {"skin_type_context": request.user.skin_type or ""},
        "errors": {},
        "skin_types": labels.SKIN_TYPES_FOR_FILTER,
    }
    status = 200
    if request.method == "POST":
        form = QuestionPageInput(data=request.POST)
        context["values"] = request.POST
        try:
            if not form.is_valid():
                context["errors"] = _field_errors(form.errors)
                raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Please correct the fields marked below."))
            question = qa.question_create(user=request.user, product_id=product.pk, **form.validated_data)
        except ApplicationError as exc:
            context["error"] = exc.message
            status = error_status(exc)
        else:
            if question.status == ContentStatus.APPROVED:
                messages.success(request, _("Thank you! Your question is published."))
            else:
                messages.success(request, _("Thank you! Your question appears once a moderator has approved it."))
            return HttpResponseRedirect(reverse("shop:product", args=[product.slug]) + "#questions-title")
    return render(request, "reviews/question_form.html", context, status=status)
