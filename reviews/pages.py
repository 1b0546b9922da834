"""Review actions of the shop's product page (HTML forms), on the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviews import services
from reviews.serializers import REPORT_REASONS
from shop.storefront.views import throttled
from skincare.api.error_codes import ApiErrorCode
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
