"""Review actions of the shop's product page and the shopper's progress journals (HTML forms),
on the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews import error_codes, progress, selectors, services
from reviews.models import ProgressStatus
from reviews.serializers import REPORT_REASONS, ProgressEntryInput, ProgressFinishInput, ProgressStartInput
from shop.catalog.selectors import product_active_get
from shop.files.models import UploadContext
from shop.files.services import file_upload, file_url
from shop.storefront.views import throttled
from skincare.api.error_codes import ApiErrorCode
from skincare.api.exceptions import error_status
from skincare.charts import chart_table, line_chart_svg
from skincare.errors import ApplicationError


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target + "#reviews-list")
    return HttpResponseRedirect("/")


@login_required
@require_POST
@throttled
def review_vote(request, review_id):
    try:
        services.review_vote(user=request.user, review_id=review_id, vote_type=request.POST.get("vote_type", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thanks, your vote is counted."))
    return _back(request)


@login_required
@require_POST
@throttled
def review_report(request, review_id):
    reason = request.POST.get("reason", "")
    try:
        if reason not in REPORT_REASONS:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose why you are reporting this review."))
        services.review_report(
            user=request.user, review_id=review_id, reason=reason, details=request.POST.get("details", "")[:1000]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thanks, a moderator will look at this review."))
    return _back(request)


# --- Progress journals ----------------------------------------------------------------------------

RATING_MAX = 5  # the API's rating scale (serializers.RATING)
PHOTO_ERROR_FIELDS = ("files", "photos", "file")


def _field_errors(serializer_errors) -> dict:
    return {field: [str(error) for error in errors] for field, errors in serializer_errors.items()}


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@login_required
@require_GET
def journal_list(request):
    journals = list(selectors.journals_for_user(user=request.user))
    return render(request, "reviews/journal_list.html", {"journals": journals})


@login_required
@require_http_methods(["GET", "POST"])
@throttled
def journal_start(request):
    product_id = _positive_int(request.POST.get("product_id") or request.GET.get("product"))
    context = {"values": request.POST, "errors": {}, "product": None}
    status = 200
    try:
        if product_id is None:
            raise Http404
        context["product"] = product_active_get(product_id=product_id)
        if request.method == "POST":
            serializer = ProgressStartInput(data=request.POST)
            if not serializer.is_valid():
                context["errors"] = _field_errors(serializer.errors)
                raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Please correct the fields marked below."))
            journal = progress.progress_start(user=request.user, product_id=product_id, **serializer.validated_data)
            messages.success(request, _("Your journal has started. Add your first weekly entry when you are ready."))
            return HttpResponseRedirect(reverse("journal:detail", args=[journal.pk]))
    except ApplicationError as exc:
        if context["product"] is None:
            raise Http404 from None
        context["error"] = exc.message
        context["errors"] = context["errors"] or dict(exc.errors or {})
        status = error_status(exc)
    return render(request, "reviews/journal_start.html", context, status=status)


def _journal_context(request, journal_id, **extra):
    journal, _owner, entries = selectors.journal_for_viewer(journal_id=journal_id, user=request.user)
    if journal is None or journal.user_id != request.user.pk:
        raise Http404
    timeline = [
        {"entry": entry, "photos": [{"media": m, "url": file_url(file=m.file)} for m in entry.media.all()]}
        for entry in entries
    ]
    points = [(_("Week %(week)s") % {"week": entry.week_number}, entry.overall_satisfaction) for entry in entries]
    title = _("Weekly satisfaction with %(product)s") % {"product": journal.product.name}
    desc = _("Your overall satisfaction each week you recorded, from 1 (poor) to 5 (excellent).")
    used_weeks = {entry.week_number for entry in entries}
    next_week = next((week for week in range(1, 53) if week not in used_weeks), None)
    context = {
        "journal": journal,
        "timeline": timeline,
        "chart": line_chart_svg(points, title=title, desc=desc, y_max=RATING_MAX, chart_id="journal") if points else "",
        "chart_table": chart_table(points, caption=title, label_header=_("Week"), value_header=_("Satisfaction (1-5)"))
        if points
        else "",
        "ongoing": journal.status == ProgressStatus.ONGOING,
        "ratings": range(1, RATING_MAX + 1),
        "values": {"week_number": next_week},
        "errors": {},
    }
    context.update(extra)
    return context


@login_required
@require_GET
def journal_detail(request, journal_id):
    return render(request, "reviews/journal_detail.html", _journal_context(request, journal_id))


@login_required
@require_POST
@throttled
def journal_entry_add(request, journal_id):
    data = request.POST.copy()
    data["journal_id"] = str(journal_id)
    for field in ("photos", "product_id"):
        data.pop(field, None)
    if not data.get("progress_date"):
        data.pop("progress_date", None)
    serializer = ProgressEntryInput(data=data)
    errors, message = {}, None
    status = 400
    if not serializer.is_valid():
        errors = _field_errors(serializer.errors)
        message = _("Please correct the fields marked below.")
    else:
        fields = dict(serializer.validated_data)
        fields.pop("product_id", None)
        fields.pop("photos", None)
        try:
            photo = request.FILES.get("photo")
            if photo is not None:
                uploaded = file_upload(
                    owner=request.user, context=UploadContext.PROGRESS, uploads=[photo], temporary=True
                )
                fields["photos"] = [{"file_id": uploaded[0].public_id}]
            progress.progress_entry_add(user=request.user, **fields)
        except ApplicationError as exc:
            message, status = exc.message, error_status(exc)
            errors = {
                ("photo" if field in PHOTO_ERROR_FIELDS else field): [str(e) for e in field_errors]
                for field, field_errors in (exc.errors or {}).items()
            }
            if exc.error_code == error_codes.PROGRESS_NOT_FOUND:
                raise Http404 from None
        else:
            messages.success(request, _("Week %(week)s is saved.") % {"week": fields["week_number"]})
            return HttpResponseRedirect(reverse("journal:detail", args=[journal_id]))
    context = _journal_context(request, journal_id, values=request.POST, errors=errors, entry_error=message)
    return render(request, "reviews/journal_detail.html", context, status=status)


@login_required
@require_POST
@throttled
def journal_finish(request, journal_id):
    outcome = request.POST.get("outcome", "")
    handlers = {"complete": progress.progress_complete, "abandon": progress.progress_abandon}
    try:
        if outcome not in handlers:
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, _("Choose whether you completed or stopped."))
        serializer = ProgressFinishInput(data=request.POST)
        if not serializer.is_valid():
            raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, " ".join(serializer.errors["completion_notes"]))
        handlers[outcome](user=request.user, journal_id=journal_id, **serializer.validated_data)
    except ApplicationError as exc:
        if exc.error_code == error_codes.PROGRESS_NOT_FOUND:
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your journal is closed. Thank you for keeping it."))
    return HttpResponseRedirect(reverse("journal:detail", args=[journal_id]))
