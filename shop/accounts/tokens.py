"""Signed, expiring tokens for e-mail verification and password reset (no token table)."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

EMAIL_VERIFICATION_SALT = "accounts.email-verification"


class InvalidToken(Exception):
    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def email_verification_token_make(user):
    # Binding the e-mail means a token stops working if the address changes.
    return signing.dumps({"uid": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT, compress=True)


def email_verification_token_read(token):
    """Return ``(user_id, email)`` or raise InvalidToken."""
    try:
        payload = signing.loads(token, salt=EMAIL_VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidToken() from exc
    if not isinstance(payload, dict) or not {"uid", "email"} <= payload.keys():
        raise InvalidToken()
    return payload["uid"], payload["email"]


password_reset_tokens: PasswordResetTokenGenerator = default_token_generator


def uid_encode(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def uid_decode(uid):
    try:
        return int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError) as exc:
        raise InvalidToken() from exc
