"""Failed-login limiter: N failures per (client IP, e-mail) inside a window, kept in the cache."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(ip, email):
    digest = hashlib.sha256(f"{ip}|{email.strip().lower()}".encode()).hexdigest()
    return f"login-failures:{digest}"


def login_failures_exceeded(*, ip, email):
    return (cache.get(_key(ip, email)) or 0) >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, ip, email):
    key = _key(ip, email)
    # add() starts the window on the first failure; incr() is atomic on Redis.
    cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def login_failures_clear(*, ip, email):
    cache.delete(_key(ip, email))
