"""Error codes of accounts and sign-in."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class AccountErrorCode(ErrorCode):
    EMAIL_TAKEN = "EMAIL_TAKEN", 400, _("An account with this e-mail already exists.")
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", 401, _("E-mail or password is incorrect.")
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED", 403, _("This account is suspended.")
    TOO_MANY_LOGIN_ATTEMPTS = "TOO_MANY_LOGIN_ATTEMPTS", 429, _("Too many failed logins. Try again later.")
    # a verification / reset / refresh token in the body is invalid
    TOKEN_INVALID = "TOKEN_INVALID", 400, _("This link or token is invalid.")
    TOKEN_EXPIRED = "TOKEN_EXPIRED", 400, _("This link or token has expired.")
    WRONG_PASSWORD = "WRONG_PASSWORD", 400, _("Current password is incorrect.")
    WEAK_PASSWORD = "WEAK_PASSWORD", 400, _("This password is too weak.")
    TOO_MANY_RESET_REQUESTS = "TOO_MANY_RESET_REQUESTS", 429, _("Too many password-reset requests. Try again later.")
    VERIFICATION_CODE_INVALID = "VERIFICATION_CODE_INVALID", 400, _("The verification code is incorrect.")
    VERIFICATION_CODE_EXPIRED = "VERIFICATION_CODE_EXPIRED", 400, _("The verification code has expired.")
    VERIFICATION_CODE_LOCKED = "VERIFICATION_CODE_LOCKED", 429, _("Too many wrong codes. Ask for a new code.")
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND", 404, _("Customer not found.")
    # a staff action on this account is refused
    MODERATION_NOT_ALLOWED = "MODERATION_NOT_ALLOWED", 403, _("This action is not allowed on this account.")


export_members(AccountErrorCode, globals())
