"""What every log line of the current request or task carries: request id, user, route, task.

One context variable holds a small mutable object, so the middleware can fill in the route and
the user as they become known without resetting the variable.
"""

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.functional import LazyObject, empty

# Accepted from X-Request-ID as given: letters, digits and ._:- only, at most 128 characters
# (a UUID, a ULID or a load balancer's trace id fit); anything else is replaced by a new id.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass(slots=True)
class LogContext:
    request_id: str | None = None
    route: str | None = None
    user_id: int | None = None
    request: object = None  # the HttpRequest, to read a user that DRF authenticates later
    task_id: str | None = None
    task_name: str | None = None
    queries: int = 0  # database queries so far (counted by the metrics execute wrapper)

    def current_user_id(self):
        if self.user_id is None and self.request is not None:
            self.user_id = known_user_id(self.request)
        return self.user_id


_current: ContextVar[LogContext | None] = ContextVar("skincare_log_context", default=None)


def current() -> LogContext | None:
    return _current.get()


def bind(context: LogContext):
    return _current.set(context)


def unbind(token) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return secrets.token_hex(16)


def request_id_accept(value: str | None) -> str:
    """The client's id when it is safe to echo and log, else a new one."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


def known_user_id(request):
    """The signed-in user's id once something has resolved it; never runs a query to find out."""
    user = request.__dict__.get("user")
    if issubclass(type(user), LazyObject):  # not isinstance(): that would evaluate the lazy user
        user = user._wrapped
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk
