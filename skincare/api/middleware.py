"""Keep the error envelope for unmatched /api/ URLs when DEBUG is on.

With DEBUG=false Django answers a URL that matches no route with ``handler404`` (the envelope);
with DEBUG=true (the embedded default) it answers its HTML debug page instead, so a client of a
development server would get HTML for ``/api/v1/reviews/abc``. This puts the envelope back.
"""

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
