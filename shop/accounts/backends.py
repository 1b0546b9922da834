from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from shop.accounts.emails import email_normalize
from shop.accounts.login_limits import (
    client_ip,
    login_failure_record,
    login_failures_clear,
    login_failures_exceeded,
)


class LoginLocked(PermissionDenied):
    """Too many failed logins for this (client IP, e-mail); ``authenticate()`` then returns None."""


class EmailBackend(ModelBackend):
    """E-mail login with the failed-login limiter built in.

    Every ``authenticate()`` call goes through here: the API login, the session login page, the
    admin login and ``Client.login``. So no door has its own budget: failures anywhere count
    against one (client IP, normalised e-mail) window, and while it is exhausted even the right
    password is refused without being checked.
    """

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email_normalize(email or username)
        if not email or password is None:
            return None
        ip = client_ip(request)
        if login_failures_exceeded(ip=ip, email=email):
            # PermissionDenied stops authenticate() from trying further backends.
            raise LoginLocked()
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            login_failure_record(ip=ip, email=email)
        else:
            login_failures_clear(ip=ip, email=email)
        return user
