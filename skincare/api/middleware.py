"""Keep the error envelope for unmatched /api/ URLs when DEBUG is on.

With DEBUG=false Django answers a URL that matches no route with ``handler404`` (the envelope);
with DEBUG=true (the embedded default) it answers its HTML debug page instead, so a client of a
development server would get HTML for ``/api/v1/reviews/abc``. This puts the envelope back.

``ApiRequestTextMiddleware`` refuses text PostgreSQL cannot store in the URL, and
``ApiRequestLimitsMiddleware`` keeps oversized requests in the envelope (see below).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse

from skincare.api import error_codes
from skincare.api.exceptions import error_body, request_limit_error
from skincare.api.text import bad_text_reason
from skincare.api.views import handler400, handler404


class ApiTrailingSlashMiddleware:
    """Answer ``/api/v1/products/`` exactly as ``/api/v1/products``: every API path is declared without a
    trailing slash; a request with one is resolved without it (no redirect, so POST/PATCH bodies are kept).

    It runs before ``CommonMiddleware``, whose ``APPEND_SLASH`` then never sees an API path that needs a
    slash (none does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path_info = request.path_info
        if path_info.startswith("/api/v1/") and path_info.endswith("/"):
            stripped = path_info.rstrip("/")
            removed = len(path_info) - len(stripped)
            request.path_info = stripped
            request.path = request.path[:-removed]
        return self.get_response(request)


class ApiNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return handler404(request)
        return response


class ApiRequestLimitsMiddleware:
    """Keep oversized and over-long requests to /api/ in the envelope.

    DRF's parsers read the body stream themselves, so ``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applied
    to JSON or form bodies; it does here, from ``Content-Length`` before anything is read: 413
    ``PAYLOAD_TOO_LARGE``. Multipart bodies (uploads) carry files: their ceiling is
    ``UPLOAD_MAX_REQUEST_BYTES`` (the upload views check their per-context limits themselves).
    Django refuses too many query parameters or form fields, and multipart fields over the limit,
    with a ``SuspiciousOperation`` that it answers with its HTML 400 page: those become 400
    ``TOO_MANY_FIELDS`` / ``TOO_MANY_FILES`` and 413 ``PAYLOAD_TOO_LARGE`` in the envelope
    (``skincare.api.exceptions.request_limit_error``), and any other bare 400 under /api/ becomes
    the envelope's ``VALIDATION_ERROR``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refusal = self._refuse(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code == 400 and not response.get("Content-Type", "").startswith("application/json"):
            return handler400(request)
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            limit = request_limit_error(exception)
            if limit is not None:
                return _limit_response(*limit)
        return None

    def _refuse(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        limit = settings.UPLOAD_MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _limit_response(*request_limit_error(RequestDataTooBig()))
        try:
            request.GET  # noqa: B018 - parsing the query string is what may fail
        except TooManyFieldsSent as exc:
            return _limit_response(*request_limit_error(exc))
        return None


def _limit_response(code, message, status):
    return JsonResponse(error_body(code, message), status=status)


class ApiRequestTextMiddleware:
    """Refuse NUL characters in an /api/ URL before any view or query sees them.

    PostgreSQL cannot store or compare text with a NUL (psycopg raises ``DataError``), so a
    ``?q=a%00b`` or a ``/products/a%00b/`` slug was a 500 wherever the value reached a query.
    A query parameter (name or value) answers 400 ``VALIDATION_ERROR`` naming the parameter; a
    path answers 404 (no resource has such a slug or id). Bodies are checked by the parsers in
    ``skincare.api.parsers``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if bad_text_reason(request.path):
                return handler404(request)
            for name, values in request.GET.lists():
                for value in [name, *values]:
                    reason = bad_text_reason(value)
                    if reason:
                        field = "query" if bad_text_reason(name) else name
                        return JsonResponse(
                            error_body(error_codes.VALIDATION_ERROR, f"{field}: {reason}", {field: [reason]}),
                            status=400,
                        )
        return self.get_response(request)
