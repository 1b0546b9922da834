"""Domain errors: what services, selectors and locks raise when a business rule says no.

A service raises ``ApplicationError(OrderErrorCode.ORDER_NOT_FOUND, "Order not found.")`` and knows
nothing of HTTP. Each app lists its codes in ``<app>/error_codes.py`` as an ``ErrorCode`` enum whose
members carry the HTTP status the API answers with; the API's one exception handler
(``skincare.api.exceptions``) turns the error into the error envelope with that status.
"""

import enum
import importlib

from django.apps import apps


class ErrorCode(enum.StrEnum):
    """Base of every app's error-code enum: ``NAME = "NAME", status, _("Default message.")``.

    Members compare equal to their string, so ``exc.code == "ORDER_NOT_FOUND"`` holds. The message
    (lazily translated, so it follows the request's language) is what an ``ApplicationError`` says
    when its raiser gives no more specific one.
    """

    def __new__(cls, value, status=400, message=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        member.message = message
        return member


class ApplicationError(Exception):
    """A business rule refused the operation: ``code`` (an ``ErrorCode``), ``message``, ``errors``
    (field -> messages, the same shape as a validation error)."""

    def __init__(self, code, message=None, *, errors=None):
        if message is None:
            message = getattr(code, "message", None) or str(code)
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or {}

    @property
    def error_code(self):
        return str(self.code)

    def __repr__(self):
        return f"{type(self).__name__}({str(self.code)!r}, {str(self.message)!r})"


def export_members(enum_class, namespace):
    """Module constants for every member (``error_codes.ORDER_NOT_FOUND``), as callers wrote them
    before the codes became enums."""
    namespace.update(enum_class.__members__)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_code_classes():
    """Every ``ErrorCode`` enum of the installed apps (importing each app's ``error_codes``)."""
    modules = ["skincare.api.error_codes"] + [f"{config.name}.error_codes" for config in apps.get_app_configs()]
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return [cls for cls in _subclasses(ErrorCode) if cls.__members__]


def error_code_lookup(code):
    """The ``ErrorCode`` member for a code given as a plain string (first registered wins)."""
    if isinstance(code, ErrorCode):
        return code
    for cls in error_code_classes():
        member = cls.__members__.get(str(code))
        if member is not None:
            return member
    return None
