from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from shop.accounts.emails import email_normalize
from shop.accounts.login_limits import client_ip, login_attempt_reserve, login_failures_clear


class LoginLocked(PermissionDenied):
    """Too many failed logins for this (client IP, e-mail); ``authenticate()`` then returns None."""


class EmailBackend(ModelBackend):
    """E-mail login with the failed-login limiter built in.

    Every ``authenticate()`` call goes through here: the API login, the session login page and the
    admin login. So no door has its own budget: attempts anywhere count against one (client IP,
    normalised e-mail) window, and while it is exhausted even the right password is refused
    without being checked. Calls without a request (the shell, ``Client.login``) count under "".
    """

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email_normalize(email or username)
        if not email or password is None:
            return None
        ip = client_ip(request)
        if not login_attempt_reserve(ip=ip, email=email):
            # PermissionDenied stops authenticate() from trying further backends.
            raise LoginLocked()
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is not None:
            login_failures_clear(ip=ip, email=email)
        return user
