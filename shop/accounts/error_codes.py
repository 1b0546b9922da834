"""Error codes of accounts and sign-in."""

from skincare.errors import ErrorCode, export_members


class AccountErrorCode(ErrorCode):
    EMAIL_TAKEN = "EMAIL_TAKEN", 400
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", 401
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED", 403
    TOO_MANY_LOGIN_ATTEMPTS = "TOO_MANY_LOGIN_ATTEMPTS", 429
    TOKEN_INVALID = "TOKEN_INVALID", 400  # a verification / reset / refresh token in the body is invalid
    TOKEN_EXPIRED = "TOKEN_EXPIRED", 400
    WRONG_PASSWORD = "WRONG_PASSWORD", 400
    WEAK_PASSWORD = "WEAK_PASSWORD", 400
    TOO_MANY_RESET_REQUESTS = "TOO_MANY_RESET_REQUESTS", 429


export_members(AccountErrorCode, globals())
