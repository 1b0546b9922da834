"""Sign-in limiters kept in the cache: failed logins per (client IP, e-mail) and password-reset
requests per e-mail and per IP.

Every key is built from the normalised e-mail (``email_normalize``), the same form the database
stores and login looks up, so spelling variants of one address share one budget.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from shop.accounts.emails import email_normalize


def client_ip(request):
    """The client address the API throttles use (honours ``NUM_PROXIES``); "" without a request."""
    if request is None:
        return ""
    return BaseThrottle().get_ident(request) or ""


def _key(kind, *parts):
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{kind}:{digest}"


def _count(key):
    return cache.get(key) or 0


def _hit(key, window):
    """Count one event and return the count; the first event of a window starts it."""
    if cache.add(key, 0, timeout=window):
        cache.set(f"{key}:until", time.time() + window, timeout=window)
    try:
        return cache.incr(key)  # atomic on Redis; keeps the key's expiry
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:until", time.time() + window, timeout=window)
        return 1


def _seconds_left(key, window):
    until = cache.get(f"{key}:until")
    if until is None:
        return window
    return max(1, int(until - time.time() + 0.999))


# --- failed logins -------------------------------------------------------------


def _login_key(ip, email):
    return _key("login-failures", ip, email_normalize(email))


def login_failures_exceeded(*, ip, email):
    return _count(_login_key(ip, email)) >= settings.LOGIN_FAILURE_LIMIT


def login_attempt_reserve(*, ip, email):
    """Count an attempt as a failure before its password is checked; False when none are left.

    Counting first (one atomic increment) means parallel guesses cannot all pass a check made
    before any of them failed: at most ``LOGIN_FAILURE_LIMIT`` passwords are ever checked per
    window. A successful login then clears the count.
    """
    key = _login_key(ip, email)
    if _count(key) >= settings.LOGIN_FAILURE_LIMIT:
        return False
    return _hit(key, settings.LOGIN_FAILURE_WINDOW) <= settings.LOGIN_FAILURE_LIMIT


def login_failures_clear(*, ip, email):
    key = _login_key(ip, email)
    cache.delete_many([key, f"{key}:until"])


def login_retry_after(*, ip, email):
    """Seconds until the failure window of (ip, email) ends."""
    return _seconds_left(_login_key(ip, email), settings.LOGIN_FAILURE_WINDOW)


# --- password-reset requests -------------------------------------------------------


def password_reset_request_allow(*, ip, email):
    """Count one reset request; return ``None`` when allowed, else the seconds to wait.

    Counted whether or not the account exists, so the answer reveals nothing about it.
    """
    window = settings.PASSWORD_RESET_REQUEST_WINDOW
    limits = [
        (_key("reset-requests-email", email_normalize(email)), settings.PASSWORD_RESET_REQUEST_EMAIL_LIMIT),
        (_key("reset-requests-ip", ip), settings.PASSWORD_RESET_REQUEST_IP_LIMIT),
    ]
    # Count first, then compare: concurrent requests cannot all slip under the limit.
    over = [key for key, limit in limits if _hit(key, window) > limit]
    return max(_seconds_left(key, window) for key in over) if over else None
