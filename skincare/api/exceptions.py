"""One exception handler for the whole API: every error becomes the error envelope.

``{"status": "error", "code": "SOME_CODE", "message": "...", "errors": {field: [...]}}``

Services raise ``skincare.errors.ApplicationError`` with an ``ErrorCode`` member; the member carries
the HTTP status.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from skincare.api import error_codes
from skincare.errors import ApplicationError, error_code_lookup

logger = logging.getLogger(__name__)

# Seconds a 503 (a backing service unavailable: database, file storage, analytics store) asks the
# client to wait before retrying, when the error gives no wait of its own (docs/operations.md).
UNAVAILABLE_RETRY_AFTER_SECONDS = 30


def error_status(exc):
    """The HTTP status a domain error answers with: its code's."""
    return _status_of(exc.code)


def _status_of(code):
    member = error_code_lookup(code)
    return member.status if member is not None else status.HTTP_400_BAD_REQUEST


# Tests register a callable here to see every (view, method, code, status) the handler answers.
answer_observers = []


def _observe(context, code, status_code):
    view = (context or {}).get("view")
    request = (context or {}).get("request")
    if view is None or request is None:
        return
    for observer in answer_observers:
        observer(type(view), request.method.lower(), str(code), status_code)


_CODE_BY_EXCEPTION = [
    (exceptions.ParseError, error_codes.PARSE_ERROR),
    (exceptions.NotAuthenticated, error_codes.NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, error_codes.AUTHENTICATION_FAILED),
    (exceptions.PermissionDenied, error_codes.PERMISSION_DENIED),
    (exceptions.NotFound, error_codes.NOT_FOUND),
    (exceptions.MethodNotAllowed, error_codes.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, error_codes.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, error_codes.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, error_codes.THROTTLED),
    (exceptions.ValidationError, error_codes.VALIDATION_ERROR),
]


# Django refuses these bodies while they are read (``request.body`` / ``request.POST`` / multipart
# parsing) with a ``SuspiciousOperation``, which Django itself answers with its HTML 400 page.
_REQUEST_LIMIT_ERRORS = [
    (RequestDataTooBig, error_codes.PAYLOAD_TOO_LARGE, _("The request body is too large."), 413),
    (TooManyFieldsSent, error_codes.TOO_MANY_FIELDS, _("The request has too many fields."), 400),
    (TooManyFilesSent, error_codes.TOO_MANY_FILES, _("The request has too many files."), 400),
]


def request_limit_error(exc):
    """(code, message, status) for a body Django refused to read, else None."""
    return next(
        ((code, message, status) for cls, code, message, status in _REQUEST_LIMIT_ERRORS if isinstance(exc, cls)), None
    )


def error_body(code, message, errors=None):
    return {"status": "error", "code": str(code), "message": str(message), "errors": errors or {}}


def error_response(code, message, *, errors=None, status_code=400, headers=None):
    response = Response(error_body(code, message, errors), status=status_code, headers=headers)
    response.enveloped = True
    return response


def _flatten(detail):
    """DRF error detail -> plain JSON (lists of strings, nested dicts kept)."""
    if isinstance(detail, dict):
        return {str(key): _as_list(_flatten(value)) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _as_list(value):
    return value if isinstance(value, (list, dict)) else [value]


def _first_message(errors):
    for field, messages in errors.items():
        first = messages
        while isinstance(first, (list, dict)) and first:
            first = first[0] if isinstance(first, list) else next(iter(first.values()))
        if first:
            return first if field == "non_field_errors" else f"{field}: {first}"
    return gettext("Invalid input.")


def exception_handler(exc, context):
    response = _answer(exc, context)
    if response is not None and answer_observers:
        _observe(context, response.data["code"], response.status_code)
    return response


def _answer(exc, context):
    if isinstance(exc, ApplicationError):
        set_rollback()
        status_code = error_status(exc)
        wait = getattr(exc, "wait", None) or (UNAVAILABLE_RETRY_AFTER_SECONDS if status_code == 503 else None)
        headers = {"Retry-After": str(int(wait))} if wait else None
        return error_response(str(exc.code), exc.message, errors=exc.errors, status_code=status_code, headers=headers)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    limit = request_limit_error(exc)
    if limit is not None:
        code, message, status_code = limit
        return error_response(code, message, status_code=status_code)

    if not isinstance(exc, exceptions.APIException):
        return None  # unexpected: Django's handler500 answers with the envelope

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    set_rollback()
    code = next((c for cls, c in _CODE_BY_EXCEPTION if isinstance(exc, cls)), None)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        errors = _flatten(detail)
        return error_response(code, _first_message(errors), errors=errors, status_code=exc.status_code)

    # simplejwt's InvalidToken carries a dict detail; keep its message only.
    detail = exc.detail
    if isinstance(detail, dict):
        message = detail.get("detail", "Error.")
        code = code or error_codes.TOKEN_INVALID
        if str(detail.get("code", "")) == "token_not_valid":
            code = error_codes.TOKEN_INVALID
    else:
        message = detail
    if code is None:
        code = str(exc.get_codes()).upper() if isinstance(exc.get_codes(), str) else "ERROR"
    return error_response(code, message, status_code=exc.status_code, headers=headers)
