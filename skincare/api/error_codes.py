"""Error codes shared by every app's API. Apps add their own in ``<app>/error_codes.py``."""

from skincare.errors import ErrorCode, export_members


class ApiErrorCode(ErrorCode):
    VALIDATION_ERROR = "VALIDATION_ERROR", 400
    PARSE_ERROR = "PARSE_ERROR", 400  # the body is not valid JSON / form data
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED", 401
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED", 401
    PERMISSION_DENIED = "PERMISSION_DENIED", 403
    NOT_FOUND = "NOT_FOUND", 404
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", 405
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE", 406
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", 415
    THROTTLED = "THROTTLED", 429
    CONFLICT = "CONFLICT", 409
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413  # the request body is over the limit
    TOO_MANY_FIELDS = "TOO_MANY_FIELDS", 400  # more form fields or query parameters than Django parses
    TOO_MANY_FILES = "TOO_MANY_FILES", 400  # more files in one multipart body than Django parses
    TOKEN_INVALID = "TOKEN_INVALID", 401  # the bearer token is invalid or expired
    SERVER_ERROR = "SERVER_ERROR", 500


export_members(ApiErrorCode, globals())
