"""Error codes shared by every app's API. Apps add their own in ``<app>/error_codes.py``."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class ApiErrorCode(ErrorCode):
    VALIDATION_ERROR = "VALIDATION_ERROR", 400, _("Invalid input.")
    PARSE_ERROR = "PARSE_ERROR", 400, _("The request body could not be read.")  # the body is not valid JSON / form data
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED", 401, _("Authentication credentials were not provided.")
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED", 401, _("Incorrect authentication credentials.")
    PERMISSION_DENIED = "PERMISSION_DENIED", 403, _("You do not have permission to perform this action.")
    NOT_FOUND = "NOT_FOUND", 404, _("Not found.")
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405, _("This method is not allowed here.")
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE", 406, _("The requested response format is not available.")
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", 415, _("Unsupported media type in the request.")
    THROTTLED = "THROTTLED", 429, _("Too many requests. Try again later.")
    CONFLICT = "CONFLICT", 409, _("This conflicts with the current state.")
    # the request body is over the limit
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413, _("The request body is too large.")
    # more form fields or query parameters than Django parses
    TOO_MANY_FIELDS = "TOO_MANY_FIELDS", 400, _("The request has too many fields.")
    # more files in one multipart body than Django parses
    TOO_MANY_FILES = "TOO_MANY_FILES", 400, _("The request has too many files.")
    TOKEN_INVALID = "TOKEN_INVALID", 401, _("Token is invalid or expired.")  # the bearer token is invalid or expired
    SERVER_ERROR = "SERVER_ERROR", 500, _("Internal server error.")
    # the database cannot serve the request (down, restarting, full); answered with Retry-After
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE", 503, _("The service is temporarily unavailable. Try again shortly.")


export_members(ApiErrorCode, globals())
