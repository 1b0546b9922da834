"""Error codes of the file registry."""

from skincare.errors import ErrorCode, export_members


class FileErrorCode(ErrorCode):
    UPLOAD_CONTEXT_NOT_FOUND = "UPLOAD_CONTEXT_NOT_FOUND", 404  # unknown context or no config row
    UPLOAD_NOT_ALLOWED = "UPLOAD_NOT_ALLOWED", 403  # staff-only context, inactive user
    PRIVATE_NOT_ALLOWED = "PRIVATE_NOT_ALLOWED", 400  # private=true where the context does not allow it
    NO_FILES = "NO_FILES", 400  # nothing to upload
    TOO_MANY_FILES = "TOO_MANY_FILES", 400  # more files than max_files_per_upload
    FILE_EMPTY = "FILE_EMPTY", 400
    FILE_TOO_LARGE = "FILE_TOO_LARGE", 413  # over max_file_size (or the request body over the context's ceiling)
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED", 400  # content not recognised or type not allowed here
    FILE_EXTENSION_MISMATCH = "FILE_EXTENSION_MISMATCH", 400  # name says .jpg, content is PNG
    FILE_CONTENT_REJECTED = "FILE_CONTENT_REJECTED", 400  # trailing data / polyglot / HTML or script content
    IMAGE_INVALID = "IMAGE_INVALID", 400  # Pillow cannot decode it (corrupt, truncated)
    IMAGE_TOO_SMALL = "IMAGE_TOO_SMALL", 400  # under min_width / min_height
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE", 400  # over max_width / max_height or a decompression bomb
    VIDEO_INVALID = "VIDEO_INVALID", 400  # container structure broken
    FILE_QUOTA_EXCEEDED = "FILE_QUOTA_EXCEEDED", 400  # per-user count or byte quota of the context
    FILE_NOT_FOUND = "FILE_NOT_FOUND", 404
    FILE_NOT_AVAILABLE = "FILE_NOT_AVAILABLE", 400  # deleted or expired file given to file_attach
    FILE_UPLOAD_CONFLICT = "FILE_UPLOAD_CONFLICT", 409  # a concurrent upload of the same bytes won
    FILE_STORAGE_UNAVAILABLE = "FILE_STORAGE_UNAVAILABLE", 503  # the storage backend failed


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
