"""Account writes: registration, login/logout, e-mail verification, passwords, profile, addresses.

Views, the admin and tasks call these; none of them writes account models directly.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from shop.accounts import error_codes, lock_objects
from shop.accounts.login_limits import login_failure_record, login_failures_clear, login_failures_exceeded
from shop.accounts.models import Address, Role, User, UserManager
from shop.accounts.tokens import (
    InvalidToken,
    email_verification_token_make,
    email_verification_token_read,
    password_reset_tokens,
    uid_decode,
    uid_encode,
)
from skincare import events
from skincare.api.exceptions import ApiError
from skincare.mail import templated_email_enqueue

# --- registration and e-mail verification -----------------------------------


def _password_validate(password, user):
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ApiError(error_codes.WEAK_PASSWORD, exc.messages[0], errors={"password": list(exc.messages)}) from exc


@transaction.atomic
def user_register(*, email, password, **profile):
    email = UserManager.normalize_email(email)
    user = User(email=email, **profile)
    _password_validate(password, user)
    if User.objects.filter(email__iexact=email).exists():
        raise ApiError(
            error_codes.EMAIL_TAKEN,
            "An account with this e-mail already exists.",
            errors={"email": ["An account with this e-mail already exists."]},
        )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a parallel registration won the race
        raise ApiError(
            error_codes.EMAIL_TAKEN,
            "An account with this e-mail already exists.",
            errors={"email": ["An account with this e-mail already exists."]},
        ) from exc
    email_verification_send(user=user)
    transaction.on_commit(lambda: events.user_registered.send(sender=User, user=user))
    return user


def email_verification_send(*, user):
    token = email_verification_token_make(user)
    templated_email_enqueue(
        to=user.email,
        template="emails/accounts/verify_email",
        context={
            "name": user.get_short_name(),
            "token": token,
            "link": f"{settings.FRONTEND_URL}/verify-email?token={token}",
            "hours": settings.EMAIL_VERIFICATION_TIMEOUT // 3600,
        },
    )


def email_verification_resend(*, email):
    """Always succeeds from the caller's view, so it cannot reveal which e-mails have accounts."""
    user = User.objects.filter(email__iexact=UserManager.normalize_email(email), is_active=True).first()
    if user is not None and not user.email_verified:
        email_verification_send(user=user)


@transaction.atomic
def user_verify_email(*, token):
    try:
        user_id, email = email_verification_token_read(token)
    except InvalidToken as exc:
        code = error_codes.TOKEN_EXPIRED if exc.expired else error_codes.TOKEN_INVALID
        raise ApiError(code, "This verification link is invalid or has expired.") from exc
    user = lock_objects.user_lock(user_id=user_id, email=email, is_active=True)
    if user is None:
        raise ApiError(error_codes.TOKEN_INVALID, "This verification link is invalid or has expired.")
    if not user.email_verified:
        user.email_verified = True
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified", "email_verified_at", "updated_at"])
        transaction.on_commit(lambda: events.user_email_verified.send(sender=User, user=user))
    return user


# --- login, tokens, logout ---------------------------------------------------


def tokens_for(user):
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_login(*, request, email, password, ip):
    email = UserManager.normalize_email(email)
    if login_failures_exceeded(ip=ip, email=email):
        raise ApiError(
            error_codes.TOO_MANY_LOGIN_ATTEMPTS,
            "Too many failed logins. Try again later.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    user = authenticate(request, email=email, password=password)
    if user is None:
        login_failure_record(ip=ip, email=email)
        # An inactive account with the right password gets its own answer.
        candidate = User.objects.filter(email__iexact=email, is_active=False).first()
        if candidate is not None and candidate.check_password(password):
            raise ApiError(
                error_codes.ACCOUNT_DISABLED, "This account is suspended.", status_code=status.HTTP_403_FORBIDDEN
            )
        raise ApiError(
            error_codes.INVALID_CREDENTIALS,
            "E-mail or password is incorrect.",
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    login_failures_clear(ip=ip, email=email)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, tokens_for(user)


def user_logout(*, refresh):
    """Blacklist the refresh token so it can never be refreshed again."""
    try:
        RefreshToken(refresh).blacklist()
    except TokenError as exc:
        raise ApiError(
            error_codes.TOKEN_INVALID, "Token is invalid or expired.", errors={"refresh": [str(exc)]}
        ) from exc


def tokens_revoke_all(*, user):
    """Blacklist every refresh token issued to ``user`` (password change, suspension)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


# --- passwords ---------------------------------------------------------------


def password_reset_request(*, email):
    """Send a reset link when the account exists; the answer is the same either way."""
    user = User.objects.filter(email__iexact=UserManager.normalize_email(email), is_active=True).first()
    if user is None:
        return
    uid, token = uid_encode(user), password_reset_tokens.make_token(user)
    templated_email_enqueue(
        to=user.email,
        template="emails/accounts/password_reset",
        context={
            "name": user.get_short_name(),
            "uid": uid,
            "token": token,
            "link": f"{settings.FRONTEND_URL}/reset-password?uid={uid}&token={token}",
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


@transaction.atomic
def password_reset_confirm(*, uid, token, new_password):
    invalid = ApiError(error_codes.TOKEN_INVALID, "This reset link is invalid or has expired.")
    try:
        user_id = uid_decode(uid)
    except InvalidToken as exc:
        raise invalid from exc
    user = lock_objects.user_lock(user_id=user_id, is_active=True)
    if user is None or not password_reset_tokens.check_token(user, token):
        raise invalid
    _password_validate(new_password, user)
    user.set_password(new_password)
    # Receiving the link proves control of the mailbox.
    if not user.email_verified:
        user.email_verified, user.email_verified_at = True, timezone.now()
    user.save()
    tokens_revoke_all(user=user)
    return user


@transaction.atomic
def password_change(*, user, old_password, new_password):
    if not user.check_password(old_password):
        raise ApiError(
            error_codes.WRONG_PASSWORD,
            "Current password is incorrect.",
            errors={"old_password": ["Current password is incorrect."]},
        )
    _password_validate(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    tokens_revoke_all(user=user)
    return tokens_for(user)


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
