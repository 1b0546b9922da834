"""Error codes of the file registry."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class FileErrorCode(ErrorCode):
    # unknown context or no config row
    UPLOAD_CONTEXT_NOT_FOUND = "UPLOAD_CONTEXT_NOT_FOUND", 404, _("Unknown upload context.")
    # staff-only context, inactive user
    UPLOAD_NOT_ALLOWED = "UPLOAD_NOT_ALLOWED", 403, _("You cannot upload files here.")
    # private=true where the context does not allow it
    PRIVATE_NOT_ALLOWED = "PRIVATE_NOT_ALLOWED", 400, _("Private files are not allowed here.")
    NO_FILES = "NO_FILES", 400, _("No file was sent.")  # nothing to upload
    TOO_MANY_FILES = "TOO_MANY_FILES", 400, _("Too many files in one request.")  # more files than max_files_per_upload
    FILE_EMPTY = "FILE_EMPTY", 400, _("The file is empty.")
    # over max_file_size (or the request body over the context's ceiling)
    FILE_TOO_LARGE = "FILE_TOO_LARGE", 413, _("The file is too large.")
    # content not recognised or type not allowed here
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED", 400, _("This file type is not allowed here.")
    # name says .jpg, content is PNG
    FILE_EXTENSION_MISMATCH = "FILE_EXTENSION_MISMATCH", 400, _("The file name extension does not match its content.")
    # trailing data / polyglot / HTML or script content
    FILE_CONTENT_REJECTED = "FILE_CONTENT_REJECTED", 400, _("The file content was rejected.")
    # Pillow cannot decode it (corrupt, truncated)
    IMAGE_INVALID = "IMAGE_INVALID", 400, _("The image is damaged or cannot be read.")
    IMAGE_TOO_SMALL = "IMAGE_TOO_SMALL", 400, _("The image is too small.")  # under min_width / min_height
    # over max_width / max_height or a decompression bomb
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE", 400, _("The image is too large.")
    VIDEO_INVALID = "VIDEO_INVALID", 400, _("The video is damaged or cannot be read.")  # container structure broken
    # per-user count or byte quota of the context
    FILE_QUOTA_EXCEEDED = "FILE_QUOTA_EXCEEDED", 400, _("You have reached your upload limit.")
    FILE_NOT_FOUND = "FILE_NOT_FOUND", 404, _("File not found.")
    # deleted or expired file given to file_attach
    FILE_NOT_AVAILABLE = "FILE_NOT_AVAILABLE", 400, _("This file is no longer available.")
    # a concurrent upload of the same bytes won
    FILE_UPLOAD_CONFLICT = "FILE_UPLOAD_CONFLICT", 409, _("The same file is being uploaded already. Try again.")
    # the storage backend failed
    FILE_STORAGE_UNAVAILABLE = "FILE_STORAGE_UNAVAILABLE", 503, _("File storage is unavailable; please retry later.")


export_members(FileErrorCode, globals())

# What an upload can be refused with (``upload_check_allowed``, ``file_upload``, the body limits).
UPLOAD_REFUSALS = (
    FileErrorCode.FILE_TOO_LARGE,
    FileErrorCode.FILE_EMPTY,
    FileErrorCode.FILE_TYPE_NOT_ALLOWED,
    FileErrorCode.FILE_EXTENSION_MISMATCH,
    FileErrorCode.FILE_CONTENT_REJECTED,
    FileErrorCode.IMAGE_INVALID,
    FileErrorCode.IMAGE_TOO_SMALL,
    FileErrorCode.IMAGE_TOO_LARGE,
    FileErrorCode.VIDEO_INVALID,
    FileErrorCode.FILE_QUOTA_EXCEEDED,
    FileErrorCode.TOO_MANY_FILES,
    FileErrorCode.NO_FILES,
    FileErrorCode.PRIVATE_NOT_ALLOWED,
    FileErrorCode.UPLOAD_NOT_ALLOWED,
    FileErrorCode.UPLOAD_CONTEXT_NOT_FOUND,
    FileErrorCode.FILE_UPLOAD_CONFLICT,
    FileErrorCode.FILE_STORAGE_UNAVAILABLE,
)
