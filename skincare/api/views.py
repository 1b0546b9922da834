"""JSON error pages for Django-level 404/500 under /api/ (DRF handles the rest)."""

import sys

from django.http import JsonResponse
from django.utils.translation import gettext
from django.views import defaults

from skincare.api import error_codes
from skincare.api.exceptions import error_body
from skincare.outages import outage_response


def _is_api(request):
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(error_codes.NOT_FOUND, gettext("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    # Called inside Django's ``except`` block, so the exception is at hand: a database outage is a 503.
    outage = outage_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    if _is_api(request):
        return JsonResponse(error_body(error_codes.SERVER_ERROR, gettext("Internal server error.")), status=500)
    return defaults.server_error(request)


def handler403(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(error_codes.PERMISSION_DENIED, gettext("Forbidden.")), status=403)
    return defaults.permission_denied(request, exception)


def handler400(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(error_codes.VALIDATION_ERROR, gettext("Bad request.")), status=400)
    return defaults.bad_request(request, exception)
