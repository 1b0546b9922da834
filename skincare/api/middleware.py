"""Keep the error envelope for unmatched /api/ URLs when DEBUG is on.

With DEBUG=false Django answers a URL that matches no route with ``handler404`` (the envelope);
with DEBUG=true (the embedded default) it answers its HTML debug page instead, so a client of a
development server would get HTML for ``/api/v1/reviews/abc``. This puts the envelope back.

``ApiRequestTextMiddleware`` refuses text PostgreSQL cannot store in the URL (see below).
"""

from django.http import JsonResponse

from skincare.api import error_codes
from skincare.api.exceptions import error_body
from skincare.api.text import bad_text_reason
from skincare.api.views import handler404


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
