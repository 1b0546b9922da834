"""Account writes: registration, login/logout, e-mail verification, passwords, profile, addresses.

Views, the admin and tasks call these; none of them writes account models directly.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from shop.accounts import error_codes, lock_objects
from shop.accounts.emails import email_normalize
from shop.accounts.login_limits import (
    client_ip,
    login_failures_exceeded,
    login_retry_after,
    password_reset_request_allow,
)
from shop.accounts.models import Address, EmailVerificationCode, Role, User
from shop.accounts.tokens import (
    InvalidToken,
    email_verification_token_make,
    email_verification_token_read,
    password_reset_tokens,
    uid_decode,
    uid_encode,
)
from skincare import events
from skincare.errors import ApplicationError
from skincare.mail import templated_email_enqueue, templated_email_send

# --- registration and e-mail verification -----------------------------------

VERIFICATION_CODE_SALT = "accounts.email-verification-code"


def _password_validate(password, user):
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            error_codes.WEAK_PASSWORD, exc.messages[0], errors={"password": list(exc.messages)}
        ) from exc


@transaction.atomic
def user_register(*, email, password, **profile):
    email = email_normalize(email)
    user = User(email=email, **profile)
    _password_validate(password, user)
    if User.objects.filter(email=email).exists():
        raise ApplicationError(
            error_codes.EMAIL_TAKEN,
            gettext("An account with this e-mail already exists."),
            errors={"email": [gettext("An account with this e-mail already exists.")]},
        )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a parallel registration won the race
        raise ApplicationError(
            error_codes.EMAIL_TAKEN,
            gettext("An account with this e-mail already exists."),
            errors={"email": [gettext("An account with this e-mail already exists.")]},
        ) from exc
    email_verification_send(user=user)
    transaction.on_commit(lambda: events.user_registered.send(sender=User, user=user))
    return user


def _verification_code_hash(user_id, code):
    return salted_hmac(VERIFICATION_CODE_SALT, f"{user_id}:{code}", algorithm="sha256").hexdigest()


def email_verification_send(*, user):
    """E-mail a link (for browsers) and a 6-digit code (for apps); either one verifies."""
    token = email_verification_token_make(user)
    code = f"{secrets.randbelow(10**6):06d}"
    EmailVerificationCode.objects.update_or_create(
        user=user,
        defaults={
            "email": user.email,
            "code_hash": _verification_code_hash(user.pk, code),
            "expires_at": timezone.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_CODE_TIMEOUT),
            "failed_attempts": 0,
        },
    )
    templated_email_enqueue(
        to=user.email,
        template="emails/accounts/verify_email",
        context={
            "name": user.get_short_name(),
            "code": code,
            "code_minutes": settings.EMAIL_VERIFICATION_CODE_TIMEOUT // 60,
            "link": f"{settings.FRONTEND_URL.rstrip('/')}{reverse('email_verify')}?token={token}",  # URL-safe
            "hours": settings.EMAIL_VERIFICATION_TIMEOUT // 3600,
        },
    )


def email_verification_resend(*, email):
    """Always succeeds from the caller's view, so it cannot reveal which e-mails have accounts."""
    user = User.objects.filter(email=email_normalize(email), is_active=True).first()
    if user is not None and not user.email_verified:
        email_verification_send(user=user)


def _email_mark_verified(user):
    """On the locked user row: mark the address verified (once) and retire its code."""
    EmailVerificationCode.objects.filter(user=user).delete()
    if not user.email_verified:
        user.email_verified = True
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified", "email_verified_at", "updated_at"])
        transaction.on_commit(lambda: events.user_email_verified.send(sender=User, user=user))


@transaction.atomic
def user_verify_email(*, token):
    try:
        user_id, email = email_verification_token_read(token)
    except InvalidToken as exc:
        code = error_codes.TOKEN_EXPIRED if exc.expired else error_codes.TOKEN_INVALID
        raise ApplicationError(code, _("This verification link is invalid or has expired.")) from exc
    user = lock_objects.user_lock(user_id=user_id, email=email, is_active=True)
    if user is None:
        raise ApplicationError(error_codes.TOKEN_INVALID, _("This verification link is invalid or has expired."))
    _email_mark_verified(user)
    return user


def _code_check(*, email, code):
    """Check ``code`` for ``email`` on the locked user row; (user, None) or (None, error).

    A wrong guess is counted and committed before the error is raised; the attempt that
    uses up the budget, and every one after it, is refused with 429 until a new code is sent.
    """
    limit = settings.EMAIL_VERIFICATION_CODE_ATTEMPTS
    invalid = ApplicationError(
        error_codes.VERIFICATION_CODE_INVALID,
        _("This code is not valid."),
        errors={"code": [_("This code is not valid.")]},
    )
    user_id = User.objects.filter(email=email, is_active=True).values_list("pk", flat=True).first()
    user = lock_objects.user_lock(user_id=user_id, email=email, is_active=True) if user_id else None
    pending = EmailVerificationCode.objects.filter(user=user, email=email).first() if user else None
    if pending is None:
        return None, invalid
    locked = ApplicationError(error_codes.VERIFICATION_CODE_LOCKED, _("Too many wrong codes. Ask for a new code."))
    if pending.failed_attempts >= limit:
        return None, locked
    if pending.expires_at <= timezone.now():
        return None, ApplicationError(
            error_codes.VERIFICATION_CODE_EXPIRED,
            _("This code has expired. Ask for a new code."),
            errors={"code": [_("This code has expired. Ask for a new code.")]},
        )
    if not constant_time_compare(_verification_code_hash(user.pk, code), pending.code_hash):
        EmailVerificationCode.objects.filter(pk=pending.pk).update(failed_attempts=F("failed_attempts") + 1)
        return None, locked if pending.failed_attempts + 1 >= limit else invalid
    _email_mark_verified(user)
    return user, None


def user_verify_email_code(*, email, code):
    """Verify with the e-mailed code (apps). Unknown e-mails answer like a wrong code."""
    with transaction.atomic():
        user, error = _code_check(email=email_normalize(email), code=code)
    if error is not None:
        raise error
    return user


# --- login, tokens, logout ---------------------------------------------------


def tokens_for(user):
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _login_locked_error(*, ip, email):
    error = ApplicationError(
        error_codes.TOO_MANY_LOGIN_ATTEMPTS,
        gettext("Too many failed logins. Try again later."),
    )
    error.wait = login_retry_after(ip=ip, email=email)  # the API answers with Retry-After
    return error


def user_authenticate(*, request, email, password):
    """The one sign-in check behind every door: the API login, the login page and the admin login.

    The limiter itself lives in the authentication backend, so even a door that calls
    ``authenticate()`` directly shares the budget; this function turns its outcome into one answer.
    """
    email = email_normalize(email)
    ip = client_ip(request)
    if login_failures_exceeded(ip=ip, email=email):
        raise _login_locked_error(ip=ip, email=email)
    user = authenticate(request, email=email, password=password)
    if user is not None:
        return user
    # An inactive account with the right password gets its own answer, unless the budget is now
    # spent (this failure used the last try, or a parallel request locked the pair first).
    candidate = None
    if not login_failures_exceeded(ip=ip, email=email):
        candidate = User.objects.filter(email=email, is_active=False).first()
    if candidate is not None and candidate.check_password(password):
        raise ApplicationError(error_codes.ACCOUNT_DISABLED, gettext("This account is suspended."))
    raise ApplicationError(
        error_codes.INVALID_CREDENTIALS,
        gettext("E-mail or password is incorrect."),
    )


def user_login(*, request, email, password):
    """API login: the shared sign-in check, then a JWT pair."""
    user = user_authenticate(request=request, email=email, password=password)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, tokens_for(user)


def user_logout(*, refresh):
    """Blacklist the refresh token so it can never be refreshed again."""
    try:
        RefreshToken(refresh).blacklist()
    except TokenError as exc:
        raise ApplicationError(
            error_codes.TOKEN_INVALID, gettext("Token is invalid or expired."), errors={"refresh": [str(exc)]}
        ) from exc


def tokens_revoke_all(*, user):
    """Blacklist every refresh token issued to ``user`` (password change, suspension)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


# --- passwords ---------------------------------------------------------------


def password_reset_request(*, email, ip):
    """Queue a reset e-mail for ``email``; the request does the same work whether or not the
    account exists (no lookup, no rendering here), so neither the answer nor its timing tells.

    Limited per e-mail and per client IP (``PASSWORD_RESET_REQUEST_*``), counted for every
    address, so the limit reveals nothing either. The API and the web page both call this.
    """
    email = email_normalize(email)
    wait = password_reset_request_allow(ip=ip, email=email)
    if wait is not None:
        error = ApplicationError(
            error_codes.TOO_MANY_RESET_REQUESTS,
            gettext("Too many password-reset requests. Try again later."),
        )
        error.wait = wait
        raise error
    from shop.accounts.tasks import password_reset_send_task

    transaction.on_commit(lambda: password_reset_send_task.delay(email=email))


def password_reset_send(*, email):
    """Task body: send the reset link when an active account has this (normalised) e-mail."""
    user = User.objects.filter(email=email_normalize(email), is_active=True).first()
    if user is None:
        return False
    uid, token = uid_encode(user), password_reset_tokens.make_token(user)
    templated_email_send(
        to=user.email,
        template="emails/accounts/password_reset",
        context={
            "name": user.get_short_name(),
            "uid": uid,
            "token": token,
            "link": f"{settings.FRONTEND_URL}/reset-password?uid={uid}&token={token}",
            "web_link": settings.FRONTEND_URL + reverse("password_reset_confirm", args=[uid, token]),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
    return True


def _password_store(user, new_password, *also_changed):
    """Every password change ends here: store the new hash and revoke every refresh token.

    ``None`` makes the password unusable. Sessions need no extra step: Django drops other
    sessions whose password hash no longer matches.
    """
    if new_password is None:
        user.set_unusable_password()
    else:
        user.set_password(new_password)
    user.save(update_fields=["password", "updated_at", *also_changed])
    tokens_revoke_all(user=user)


@transaction.atomic
def password_reset_confirm(*, uid, token, new_password):
    """Set a new password with a reset link (API and the web reset page)."""
    invalid = ApplicationError(error_codes.TOKEN_INVALID, gettext("This reset link is invalid or has expired."))
    try:
        user_id = uid_decode(uid)
    except InvalidToken as exc:
        raise invalid from exc
    user = lock_objects.user_lock(user_id=user_id, is_active=True)
    if user is None or not password_reset_tokens.check_token(user, token):
        raise invalid
    _password_validate(new_password, user)
    # Receiving the link proves control of the mailbox.
    if user.email_verified:
        _password_store(user, new_password)
    else:
        user.email_verified, user.email_verified_at = True, timezone.now()
        _password_store(user, new_password, "email_verified", "email_verified_at")
    return user


@transaction.atomic
def password_change(*, user, old_password, new_password):
    """Change one's own password (API and the web page); returns a fresh JWT pair."""
    if not user.check_password(old_password):
        raise ApplicationError(
            error_codes.WRONG_PASSWORD,
            gettext("Current password is incorrect."),
            errors={"old_password": [gettext("Current password is incorrect.")]},
        )
    _password_validate(new_password, user)
    _password_store(user, new_password)
    return tokens_for(user)


@transaction.atomic
def user_password_set(*, user, new_password):
    """Staff set another user's password in the admin (the admin form has run the validators).

    ``None`` makes the password unusable (the admin's "password-based authentication: disabled").
    """
    _password_store(user, new_password)
    return user


# --- profile -------------------------------------------------------------------

PROFILE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "phone",
        "date_of_birth",
        "gender",
        "skin_type",
        "skin_concerns",
        "language",
        "bio",
        "expertise_areas",
    }
)


def profile_update(*, user, data):
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(user, field, value)
    user.save(update_fields=[*data.keys(), "updated_at"])
    return user


# --- staff actions -----------------------------------------------------------


@transaction.atomic
def user_suspend(*, user):
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    tokens_revoke_all(user=user)
    return user


def user_activate(*, user):
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
    return user


def user_set_role(*, user, role):
    """The one way to change a role: ``User.save`` moves ``is_staff`` and the role group with it
    in the same transaction (see ``shop.accounts.roles``)."""
    user.role = Role(role)
    user.save(update_fields=["role", "is_staff", "updated_at"])
    return user


# --- addresses -----------------------------------------------------------------


def _lock_user_addresses(user):
    """Lock the owner's row so default-address changes are serialised per user."""
    lock_objects.user_lock(user_id=user.pk)


@transaction.atomic
def address_create(*, user, is_default=False, **fields):
    _lock_user_addresses(user)
    first = not Address.objects.filter(user=user).exists()
    if is_default and not first:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(user=user, is_default=is_default or first, **fields)


@transaction.atomic
def address_update(*, address, is_default=None, **fields):
    _lock_user_addresses(address.user)
    for field, value in fields.items():
        setattr(address, field, value)
    if is_default and not address.is_default:
        Address.objects.filter(user_id=address.user_id, is_default=True).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def address_set_default(*, address):
    return address_update(address=address, is_default=True)


@transaction.atomic
def address_delete(*, address):
    _lock_user_addresses(address.user)
    was_default = address.is_default
    user_id = address.user_id
    address.delete()
    if was_default:
        successor = Address.objects.filter(user_id=user_id).order_by("-created_at", "-pk").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default", "updated_at"])
