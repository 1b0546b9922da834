"""What a request answers while the database cannot serve it: 503 with ``Retry-After``, not a 500.

PostgreSQL stopped, restarting, failing over or refusing writes (disk full) surfaces in Django as
``django.db.OperationalError`` (or ``InterfaceError`` on a connection that died), wherever the request
first touched the database: the session middleware, authentication, a view, a template. None of that
is the client's fault or a bug to page about as a 500: the request may succeed a little later. So
``handler500`` (``skincare.api.views``) asks :func:`outage_response` first: the API answers the error
envelope with ``SERVICE_UNAVAILABLE`` and pages a short bilingual "back shortly" page, both 503 with
``Retry-After``. No stack trace reaches the client (it never does with ``DEBUG`` off). The server log
gets one ``skincare.outages`` error line per request naming the database error; the traceback is
added only when the error is not a lost or refused connection (a deadlock, say), where it shows the
code that ran into it. During an outage every request would otherwise log the same 60-line traceback.

Deadlocks and serialization failures are ``OperationalError`` too; answering them "retry shortly" is
right for them as well.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext

from skincare.api import error_codes
from skincare.api.exceptions import UNAVAILABLE_RETRY_AFTER_SECONDS, error_body

logger = logging.getLogger("skincare.outages")


def _connection_lost(exc):
    """No connection (refused, closed, server shutting down): the traceback says nothing more."""
    if isinstance(exc, InterfaceError):
        return True
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


def database_unavailable(exc):
    return isinstance(exc, (OperationalError, InterfaceError))


def outage_response(request, exc):
    """The 503 answer for ``exc`` when it says the database is unavailable, else ``None``."""
    if not database_unavailable(exc):
        return None
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    # The route name, not the path (paths can carry tokens; docs/observability.md); the log context
    # adds the request id.
    route = getattr(request.resolver_match, "view_name", None) or "<before URL resolution>"
    logger.error(
        "Database unavailable, answered 503: %s %s: %s: %s",
        request.method,
        route,
        type(exc).__name__,
        first_line,
        exc_info=None if _connection_lost(exc) else exc,
    )
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        body = error_body(
            error_codes.SERVICE_UNAVAILABLE, gettext("The service is temporarily unavailable. Try again shortly.")
        )
        response = JsonResponse(body, status=503, headers=headers)
    else:
        # Rendered without a request: context processors read the database (cart, categories).
        response = HttpResponse(loader.get_template("503.html").render(), status=503, headers=headers)
    response._has_been_logged = True  # django.request would log the traceback again
    return response
