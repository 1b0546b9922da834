"""Business logic of the file registry. Other apps call these functions; views, admin and tasks stay thin.

Upload pipeline (``file_upload``):

1. rules: the context's ``FileUploadConfig``, staff-only contexts, visibility, count per upload;
2. every file is read (bounded), typed from its content, structure-checked, scanned for active
   content and - for images - decoded and re-encoded in memory. Nothing is stored yet;
3. in one transaction with the owner's row locked: dedupe, quotas, blobs written, rows created,
   counters updated. Any failure deletes the blobs written so far and rolls the rows back.
"""

import hashlib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from shop.accounts.lock_objects import user_lock
from shop.files import error_codes
from shop.files.inspection import (
    EXTENSIONS_BY_MIME,
    MIME_BY_EXTENSION,
    ImageRules,
    InspectionError,
    check_active_content,
    check_structure,
    detect_type,
    process_image,
    split_extension,
)
from shop.files.models import (
    PRIVATE_STORAGE,
    PUBLIC_STORAGE,
    FileStatus,
    FileUploadConfig,
    MediaType,
    UploadContext,
    UploadedFile,
)
from shop.files.selectors import available_files_q, file_usage, upload_config_get
from skincare.api.permissions import user_has_permission
from skincare.errors import ApplicationError
from skincare.events import file_deleted, file_uploaded

logger = logging.getLogger(__name__)

STRAY_BLOB_MIN_AGE = timedelta(hours=1)
PROFILE_PICTURE_ENTITY = "user"
_KEY_NAME = re.compile(r"^[0-9a-f]{32}(?:_[a-z0-9_-]{1,40})?\.[a-z0-9]{1,5}$")


@dataclass
class _Prepared:
    original_filename: str
    sha256: str
    mime: str
    extension: str
    media_type: str
    content: bytes
    width: int | None = None
    height: int | None = None
    thumbnails: dict = field(default_factory=dict)  # name -> (bytes, extension)


def _fail(code, message, *, field_name="files"):
    return ApplicationError(code, message, errors={field_name: [message]})


# --- Rules ------------------------------------------------------------------------------------


def _config_for(context) -> FileUploadConfig:
    config = upload_config_get(context=context) if context in UploadContext.values else None
    if config is None:
        raise _fail(
            error_codes.UPLOAD_CONTEXT_NOT_FOUND,
            gettext("Unknown upload context '%(context)s'.") % {"context": context},
            field_name="context",
        )
    return config


def upload_check_allowed(*, owner, context) -> FileUploadConfig:
    """Context and permission checks that need no file; views call it before reading the body."""
    config = _config_for(context)
    if owner is None or not owner.is_authenticated or not owner.is_active:
        raise _fail(error_codes.UPLOAD_NOT_ALLOWED, gettext("You must be signed in to upload files."))
    if config.staff_only and not user_has_permission(owner, "catalog.change_product"):
        raise _fail(error_codes.UPLOAD_NOT_ALLOWED, gettext("Only staff may upload files here."))
    return config


def _resolve_public(config, private) -> bool:
    if not config.is_public:
        return False  # private-only context (progress photos), whatever the client asked
    if private:
        if not config.allow_private:
            raise _fail(
                error_codes.PRIVATE_NOT_ALLOWED,
                gettext("Files in this context cannot be private."),
                field_name="private",
            )
        return False
    return True


def _image_rules(config) -> ImageRules:
    sizes = config.thumbnail_sizes if config.create_thumbnails and isinstance(config.thumbnail_sizes, dict) else {}
    valid_sizes = {}
    for name, box in sizes.items():
        try:
            width, height = int(box[0]), int(box[1])
        except (TypeError, ValueError, IndexError, KeyError):
            logger.warning("Ignoring invalid thumbnail size %r=%r of context %s", name, box, config.context)
            continue
        if width > 0 and height > 0:
            valid_sizes[str(name)] = (width, height)
    return ImageRules(
        min_width=config.min_width,
        min_height=config.min_height,
        max_width=config.max_width,
        max_height=config.max_height,
        max_frames=config.max_frames,
        max_total_pixels=config.max_total_pixels,
        quality=min(max(int(config.compression_quality or 85), 1), 100),
        thumbnail_sizes=valid_sizes,
    )


# --- Reading and validating one file ----------------------------------------------------------


def _clean_filename(name) -> str:
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    name = name.strip(". ") or "upload"
    if len(name) > 255:
        extension = split_extension(name)
        keep = 255 - (len(extension) + 1 if extension else 0)
        name = name[:keep] + (f".{extension}" if extension else "")
    return name


def _read_bounded(upload, limit, filename) -> bytes:
    too_large = _fail(
        error_codes.FILE_TOO_LARGE,
        gettext("%(file)s: the file is larger than the %(limit)s allowed here.")
        % {"file": filename, "limit": _human_size(limit)},
    )
    try:
        declared = upload.size
    except (AttributeError, OSError, TypeError, ValueError):
        declared = None
    if declared is not None and declared > limit:
        raise too_large
    parts, total = [], 0
    try:
        for chunk in upload.chunks():
            total += len(chunk)
            if total > limit:
                raise too_large
            parts.append(chunk)
    except (OSError, ValueError) as exc:
        raise _fail(
            error_codes.FILE_EMPTY, gettext("%(file)s: the file could not be read.") % {"file": filename}
        ) from exc
    data = b"".join(parts)
    if not data:
        raise _fail(error_codes.FILE_EMPTY, gettext("%(file)s: the file is empty.") % {"file": filename})
    return data


def _prepare(upload, config, rules) -> _Prepared:
    filename = _clean_filename(getattr(upload, "name", ""))
    data = _read_bounded(upload, config.max_file_size, filename)
    allowed_mimes = [m for m in (config.allowed_mime_types or []) if isinstance(m, str)]
    allowed_extensions = {str(e).lower().lstrip(".") for e in (config.allowed_extensions or [])}

    file_type = detect_type(data)
    if file_type is None or file_type.mime not in allowed_mimes:
        allowed = ", ".join(sorted({EXTENSIONS_BY_MIME[m][0] for m in allowed_mimes if m in EXTENSIONS_BY_MIME}))
        if file_type is None:
            message = gettext("%(file)s: the content is not a recognised image or video; allowed here: %(allowed)s.")
        else:
            message = gettext("%(file)s: the content is %(type)s; allowed here: %(allowed)s.")
        kinds = {"file": filename, "type": file_type and file_type.extension.upper(), "allowed": allowed}
        raise _fail(error_codes.FILE_TYPE_NOT_ALLOWED, message % kinds)

    extension = split_extension(filename)
    if extension and extension not in file_type.extensions:
        claimed = MIME_BY_EXTENSION.get(extension)
        if claimed:
            message = gettext("%(file)s: the content is %(type)s but the file has a %(claimed)s name.")
        else:
            message = gettext("%(file)s: the content is %(type)s but the file has the extension .%(extension)s.")
        kinds = {"file": filename, "type": file_type.extension.upper(), "claimed": extension.upper()}
        raise _fail(error_codes.FILE_EXTENSION_MISMATCH, message % {**kinds, "extension": extension})
    if (extension or file_type.extension) not in allowed_extensions:
        raise _fail(
            error_codes.FILE_TYPE_NOT_ALLOWED,
            gettext("%(file)s: .%(extension)s files are not allowed here.")
            % {"file": filename, "extension": extension or file_type.extension},
        )

    try:
        meta_ranges = check_structure(data, file_type)
        check_active_content(data, meta_ranges)
        prepared = _Prepared(
            original_filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            mime=file_type.mime,
            extension=file_type.extension,
            media_type=file_type.media_type,
            content=data,
        )
        if file_type.media_type == MediaType.IMAGE:
            image = process_image(data, file_type, rules)
            prepared.content = image.content
            prepared.extension = image.extension
            prepared.width, prepared.height = image.width, image.height
            prepared.thumbnails = image.thumbnails
    except InspectionError as exc:
        raise _fail(exc.code, gettext("%(file)s: %(problem)s") % {"file": filename, "problem": exc.message}) from exc
    return prepared


# --- Storage ----------------------------------------------------------------------------------


def _storage_prefix(config) -> str:
    path = (config.storage_path or "").replace("\\", "/").strip().strip("/")
    parts = [part for part in path.split("/") if part and part not in (".", "..")]
    return ("/".join(parts) or f"uploads/{config.context}") + "/"


def _save_blob(storage, key, content, written) -> str:
    try:
        name = storage.save(key, ContentFile(content))
    except Exception as exc:  # noqa: BLE001 - any backend failure (disk, S3) becomes a clean 503
        logger.exception("Storing %s failed", key)
        raise ApplicationError(
            error_codes.FILE_STORAGE_UNAVAILABLE, gettext("File storage is unavailable; please retry later.")
        ) from exc
    written.append((storage, name))
    return name


def _discard_blobs(written):
    for storage, name in written:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - best effort; the cleanup job removes strays later
            logger.exception("Could not delete %s after a failed upload", name)


def _store(prepared, *, storage, prefix, now, written):
    base = f"{prefix}{now:%Y/%m}/{uuid.uuid4().hex}"
    key = _save_blob(storage, f"{base}.{prepared.extension}", prepared.content, written)
    thumbnails = {}
    for index, (name, (content, extension)) in enumerate(prepared.thumbnails.items()):
        slug = re.sub(r"[^a-z0-9_-]", "", name.lower())[:40] or str(index)
        thumbnails[name] = _save_blob(storage, f"{base}_{slug}.{extension}", content, written)
    return key, thumbnails


# --- Counters ---------------------------------------------------------------------------------


def _add_to_counters(owner_id, *, files, size):
    if owner_id is None or not files:
        return
    User = get_user_model()
    if files > 0:
        User.objects.filter(pk=owner_id).update(
            files_uploaded=F("files_uploaded") + files, storage_used=F("storage_used") + size
        )
    else:
        User.objects.filter(pk=owner_id).update(
            files_uploaded=Greatest(F("files_uploaded") + files, Value(0)),
            storage_used=Greatest(F("storage_used") + size, Value(0)),
        )


def _refresh_counters(user, *extra_fields):
    if user is not None and getattr(user, "pk", None):
        user.refresh_from_db(fields=["files_uploaded", "storage_used", *extra_fields])


# --- Upload -----------------------------------------------------------------------------------


def _reuse_existing(existing, *, temporary, expires_at, now):
    """Same bytes already stored: hand back that file, made permanent or kept alive as asked."""
    if not existing.is_temporary:
        return existing
    updates = {"updated_at": now}
    if temporary:
        updates["expires_at"] = max(existing.expires_at or expires_at, expires_at)
    else:
        updates.update(is_temporary=False, expires_at=None)
    if not UploadedFile.objects.filter(pk=existing.pk, status=FileStatus.ACTIVE).update(**updates):
        return None  # expired and deleted by the cleanup job a moment ago
    existing.refresh_from_db()
    return existing


def _check_quota(owner, config, new_files):
    if not new_files:
        return
    usage = file_usage(owner=owner, context=config.context)
    if config.max_files_per_user is not None and usage["count"] + len(new_files) > config.max_files_per_user:
        raise _fail(
            error_codes.FILE_QUOTA_EXCEEDED,
            gettext("You can keep at most %(max)d files here and already have %(count)d.")
            % {"max": config.max_files_per_user, "count": usage["count"]},
        )
    added = sum(len(p.content) for p in new_files)
    if config.max_total_size_per_user is not None and usage["bytes"] + added > config.max_total_size_per_user:
        raise _fail(
            error_codes.FILE_QUOTA_EXCEEDED,
            gettext("These files would take your storage here over %(limit)s.")
            % {"limit": _human_size(config.max_total_size_per_user)},
        )


def file_upload(*, owner, context, uploads, private=None, temporary=False) -> list[UploadedFile]:
    """Validate every file, then store them all or none. Returns the files in the order given.

    Re-uploading bytes the owner already has (same context and visibility) returns that file.
    """
    config = upload_check_allowed(owner=owner, context=context)
    is_public = _resolve_public(config, private)
    uploads = [upload for upload in (uploads or []) if upload is not None]
    if not uploads:
        raise _fail(error_codes.NO_FILES, gettext("No file was submitted."))
    if len(uploads) > config.max_files_per_upload:
        raise _fail(
            error_codes.TOO_MANY_FILES,
            gettext("At most %(max)d file(s) can be uploaded at once here; got %(count)d.")
            % {"max": config.max_files_per_upload, "count": len(uploads)},
        )

    rules = _image_rules(config)
    prepared = [_prepare(upload, config, rules) for upload in uploads]

    now = timezone.now()
    expires_at = now + settings.TEMPORARY_FILE_TTL if temporary else None
    storage = storages[PUBLIC_STORAGE if is_public else PRIVATE_STORAGE]
    prefix = _storage_prefix(config)
    written = []
    try:
        with transaction.atomic():
            # Serialises this owner's uploads so parallel requests cannot both pass the quota check.
            user_lock(user_id=owner.pk)

            by_hash: dict[str, UploadedFile | _Prepared] = {}
            for item in prepared:
                if item.sha256 in by_hash:
                    continue
                existing = UploadedFile.objects.filter(
                    owner=owner,
                    context=config.context,
                    sha256=item.sha256,
                    is_public=is_public,
                    status=FileStatus.ACTIVE,
                ).first()
                if existing is not None:
                    existing = _reuse_existing(existing, temporary=temporary, expires_at=expires_at, now=now)
                by_hash[item.sha256] = existing or item
            new_files = [item for item in by_hash.values() if isinstance(item, _Prepared)]
            _check_quota(owner, config, new_files)

            created = []
            for item in new_files:
                key, thumbnails = _store(item, storage=storage, prefix=prefix, now=now, written=written)
                row = UploadedFile.objects.create(
                    owner=owner,
                    context=config.context,
                    file=key,
                    original_filename=item.original_filename,
                    size=len(item.content),
                    mime_type=item.mime,
                    extension=item.extension,
                    media_type=item.media_type,
                    width=item.width,
                    height=item.height,
                    thumbnails=thumbnails,
                    sha256=item.sha256,
                    status=FileStatus.ACTIVE,
                    is_public=is_public,
                    is_temporary=bool(temporary),
                    expires_at=expires_at,
                    processed_at=now,
                )
                by_hash[item.sha256] = row
                created.append(row)
            _add_to_counters(owner.pk, files=len(created), size=sum(row.size for row in created))
            for row in created:
                transaction.on_commit(partial(file_uploaded.send, sender=UploadedFile, file=row), robust=True)
    except IntegrityError as exc:
        _discard_blobs(written)
        raise _fail(
            error_codes.FILE_UPLOAD_CONFLICT, gettext("The same file is being uploaded by another request.")
        ) from exc
    except BaseException:
        _discard_blobs(written)
        raise

    _refresh_counters(owner)
    return [by_hash[item.sha256] for item in prepared]


# --- Lifecycle --------------------------------------------------------------------------------


def file_attach(*, file, entity_type, entity_id) -> UploadedFile:
    """Link the file to a domain object and make it permanent (no expiry)."""
    now = timezone.now()
    updated = UploadedFile.objects.filter(available_files_q(now=now), pk=file.pk).update(
        related_entity_type=entity_type,
        related_entity_id=entity_id,
        is_temporary=False,
        expires_at=None,
        updated_at=now,
    )
    if not updated:
        raise _fail(
            error_codes.FILE_NOT_AVAILABLE, gettext("This file has been deleted or has expired."), field_name="file"
        )
    file.refresh_from_db()
    return file


def _soft_delete(file, *, now) -> bool:
    deleted = UploadedFile.objects.filter(pk=file.pk, status=FileStatus.ACTIVE).update(
        status=FileStatus.DELETED, deleted_at=now, updated_at=now
    )
    if not deleted:
        return False
    _add_to_counters(file.owner_id, files=-1, size=-file.size)
    if file.owner_id is not None:
        get_user_model().objects.filter(pk=file.owner_id, profile_picture_id=file.pk).update(profile_picture=None)
    file_deleted.send(sender=UploadedFile, file=file)
    return True


def file_delete(*, file) -> UploadedFile:
    """Soft delete: the row stays, the owner's counters give the file back, the blobs go with the cleanup job."""
    with transaction.atomic():
        _soft_delete(file, now=timezone.now())
    file.refresh_from_db()
    return file


def file_url(*, file, size=None, request=None) -> str:
    """Public files: their storage URL. Private files: the permission-checked content endpoint.

    ``size`` names a thumbnail; an unknown name (or a video) gives the main file.
    """
    thumbnail_key = file.thumbnails.get(size) if size else None
    if file.is_public:
        url = storages[PUBLIC_STORAGE].url(thumbnail_key or file.file)
    else:
        url = reverse("files:file-content", kwargs={"public_id": file.public_id})
        if thumbnail_key:
            url = f"{url}?{urlencode({'size': size})}"
    if request is not None and url.startswith("/"):
        url = request.build_absolute_uri(url)
    return url


# --- Profile picture --------------------------------------------------------------------------


def profile_picture_set(*, user, upload) -> UploadedFile:
    """Upload a new profile picture and soft-delete the one it replaces."""
    with transaction.atomic():
        [picture] = file_upload(owner=user, context=UploadContext.PROFILE, uploads=[upload])
        picture = file_attach(file=picture, entity_type=PROFILE_PICTURE_ENTITY, entity_id=user.pk)
        User = get_user_model()
        old_id = User.objects.filter(pk=user.pk).values_list("profile_picture_id", flat=True).first()
        User.objects.filter(pk=user.pk).update(profile_picture=picture)
        if old_id and old_id != picture.pk:
            old = UploadedFile.objects.filter(pk=old_id).first()
            if old is not None:
                _soft_delete(old, now=timezone.now())
    _refresh_counters(user, "profile_picture")
    return picture


def profile_picture_remove(*, user) -> None:
    with transaction.atomic():
        User = get_user_model()
        locked = user_lock(user_id=user.pk)
        old_id = locked.profile_picture_id if locked else None
        if old_id:
            User.objects.filter(pk=user.pk).update(profile_picture=None)
            old = UploadedFile.objects.filter(pk=old_id).first()
            if old is not None:
                _soft_delete(old, now=timezone.now())
    _refresh_counters(user, "profile_picture")


# --- Cleanup ----------------------------------------------------------------------------------


def _purge_blobs(file) -> bool:
    storage = storages[file.storage_alias]
    try:
        for key in file.storage_keys:
            storage.delete(key)
    except Exception:  # noqa: BLE001 - keep going; the next run retries this file
        logger.exception("Could not purge the blobs of file %s", file.public_id)
        return False
    return True


def _scan_roots():
    prefixes = sorted({_storage_prefix(config) for config in FileUploadConfig.objects.all()})
    roots = []
    for prefix in prefixes:
        if not any(prefix.startswith(root) for root in roots):
            roots.append(prefix)
    return roots


def _walk(storage, directory):
    try:
        subdirectories, names = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield directory, names
    for subdirectory in subdirectories:
        yield from _walk(storage, f"{directory}{subdirectory}/")


def _remove_stray_blobs(now) -> int:
    """Blobs named like ours under the registry's folders with no row at all, older than an hour.

    They come from uploads whose transaction rolled back after the blobs were written.
    """
    removed = 0
    seen_locations = set()
    for alias in (PUBLIC_STORAGE, PRIVATE_STORAGE):
        storage = storages[alias]
        location = (type(storage), getattr(storage, "location", None), getattr(storage, "bucket_name", None))
        if location in seen_locations:
            continue
        seen_locations.add(location)
        for root in _scan_roots():
            for directory, names in _walk(storage, root):
                candidates = [name for name in names if _KEY_NAME.match(name)]
                if not candidates:
                    continue
                known = set()
                for key, thumbnails in UploadedFile.objects.filter(file__startswith=directory).values_list(
                    "file", "thumbnails"
                ):
                    known.add(key)
                    known.update((thumbnails or {}).values())
                for name in candidates:
                    key = f"{directory}{name}"
                    if key in known:
                        continue
                    try:
                        if storage.get_modified_time(key) > now - STRAY_BLOB_MIN_AGE:
                            continue
                        storage.delete(key)
                    except Exception:  # noqa: BLE001
                        logger.exception("Could not remove stray blob %s", key)
                        continue
                    removed += 1
    return removed


def files_cleanup(*, now=None) -> dict:
    """Expire temporary files, purge the blobs of deleted files, remove stray blobs. Returns counts."""
    now = now or timezone.now()
    expired = 0
    for file in list(UploadedFile.objects.filter(status=FileStatus.ACTIVE, is_temporary=True, expires_at__lte=now)):
        with transaction.atomic():
            expired += _soft_delete(file, now=now)

    purged = 0
    # A product image an order line shows (its checkout snapshot) keeps its blobs.
    deleted = UploadedFile.objects.filter(status=FileStatus.DELETED, purged_at__isnull=True, order_lines__isnull=True)
    for file in list(deleted.distinct()):
        if _purge_blobs(file):
            UploadedFile.objects.filter(pk=file.pk).update(purged_at=now)
            purged += 1

    stray = _remove_stray_blobs(now)
    result = {"expired": expired, "purged": purged, "stray": stray}
    logger.info("files cleanup: %s", result)
    return result


def _human_size(size) -> str:
    size = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size} GB"
