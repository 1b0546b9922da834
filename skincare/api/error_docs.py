"""Which error codes each API operation can answer, and their documentation in the schema.

A view method names the codes of its own rules with ``@raises(...)``::

    @raises(OrderErrorCode.ORDER_NOT_FOUND, OrderErrorCode.ORDER_NOT_CANCELLABLE)
    def post(self, request, order_number): ...

The codes every operation of a kind can answer (bad token, validation, throttling, sign-in
required, ...) are added from the view's own settings by ``common_error_codes``. The schema hook
documents both per status with an ``enum`` of the codes; the test suite records every code the
exception handler answers and fails when a view answered one it does not document.
"""

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ErrorCode

BODY_METHODS = {"post", "put", "patch"}
WRITE_METHODS = BODY_METHODS | {"delete"}

# Any request: an unparseable query or an unsupported Accept header.
ALWAYS = (ApiErrorCode.VALIDATION_ERROR, ApiErrorCode.TOO_MANY_FIELDS, ApiErrorCode.NOT_ACCEPTABLE)
# Any request to a view that reads credentials: a bad bearer token or session.
AUTHENTICATED = (ApiErrorCode.AUTHENTICATION_FAILED, ApiErrorCode.TOKEN_INVALID)
# A request body: malformed, of a type the operation does not read, or too large.
WITH_BODY = (
    ApiErrorCode.PARSE_ERROR,
    ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ApiErrorCode.PAYLOAD_TOO_LARGE,
)


def raises(*codes):
    """Document the codes a view method answers beyond the common ones."""
    for code in codes:
        if not isinstance(code, ErrorCode):
            raise TypeError(f"{code!r} is not an ErrorCode member")

    def decorate(func):
        func.error_codes = tuple(codes)
        return func

    return decorate


def declared_error_codes(view_class, method):
    """The codes ``@raises`` documents on ``view_class.<method>``; ``None`` when undocumented.

    A view whose handler is inherited (a generic view) may set ``error_codes = {"get": [...]}``.
    """
    handler = getattr(view_class, method, None)
    declared = getattr(handler, "error_codes", None)
    if declared is None:
        declared = getattr(view_class, "error_codes", {}).get(method)
    return None if declared is None else tuple(declared)


def _requires_permission(view_class):
    return any(permission is not AllowAny for permission in view_class.permission_classes)


def may_page(view_class):
    """Whether the view can answer a page (a list view, or one that sets its own ``pagination_class`` to page
    by hand). The paginator answers 404 ``NOT_FOUND`` for a ``?page=`` the list does not have (``0``, past the
    last); the schema documents it on each operation whose answer is a page (``schema_errors``)."""
    if hasattr(view_class, "list"):
        return True
    return any(
        vars(klass).get("pagination_class") is not None
        for klass in view_class.__mro__
        if not klass.__module__.startswith("rest_framework")
    )


def common_error_codes(view_class, method):
    codes = list(ALWAYS)
    if view_class.authentication_classes:
        codes += AUTHENTICATED
    if method in BODY_METHODS:
        codes += WITH_BODY
    if _requires_permission(view_class):
        codes += [ApiErrorCode.NOT_AUTHENTICATED, ApiErrorCode.PERMISSION_DENIED]
    elif method in WRITE_METHODS and SessionAuthentication in view_class.authentication_classes:
        codes.append(ApiErrorCode.PERMISSION_DENIED)  # CSRF check of a session-signed-in write
    if view_class.throttle_classes:
        codes.append(ApiErrorCode.THROTTLED)
    return codes


def documented_error_codes(view_class, method):
    """Every code ``view_class.<method>`` documents, common ones included (ordered, no repeats)."""
    codes = common_error_codes(view_class, method) + list(declared_error_codes(view_class, method) or ())
    # Keyed by enum and name: members of two apps with the same name compare equal as strings.
    return list({(type(code), code.name): code for code in codes}.values())


def documents(view_class, method, code, status):
    """Whether the operation documents answering ``code`` with ``status``."""
    if str(code) == ApiErrorCode.NOT_FOUND and status == 404 and may_page(view_class):
        return True
    return any(
        str(member) == str(code) and member.status == status for member in documented_error_codes(view_class, method)
    )
