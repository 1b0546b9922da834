import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from shop.files.inspection import (
    EXTENSIONS_BY_MIME,
    MAX_ANIMATION_FRAMES,
    MAX_ANIMATION_PIXELS,
    SUPPORTED_MIME_TYPES,
)


class UploadContext(models.TextChoices):
    PROFILE = "profile", "Profile"
    PRODUCT = "product", "Product"
    REVIEW = "review", "Review"
    PROGRESS = "progress", "Progress"
    QA = "qa", "Q&A"
    SKIN = "skin", "Skin analysis"


class MediaType(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class FileStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    ACTIVE = "active", "Active"
    DELETED = "deleted", "Deleted"
    FAILED = "failed", "Failed"


class FileUploadConfig(models.Model):
    """Per-context upload rules, edited by staff in the admin."""

    context = models.CharField(max_length=50, choices=UploadContext.choices, unique=True)
    description = models.TextField(blank=True)
    max_file_size = models.PositiveBigIntegerField(help_text="Bytes")
    allowed_mime_types = models.JSONField(default=list)
    allowed_extensions = models.JSONField(default=list)
    max_width = models.PositiveIntegerField(null=True, blank=True)
    max_height = models.PositiveIntegerField(null=True, blank=True)
    min_width = models.PositiveIntegerField(null=True, blank=True)
    min_height = models.PositiveIntegerField(null=True, blank=True)
    max_frames = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=f"Frames of an animated GIF/PNG/WebP; empty = the service ceiling ({MAX_ANIMATION_FRAMES}).",
    )
    max_total_pixels = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Pixels decoded over all frames of an animation (width x height per frame, summed); "
        f"empty = the service ceiling ({MAX_ANIMATION_PIXELS:,}).",
    )
    max_files_per_upload = models.PositiveIntegerField(default=1)
    max_files_per_user = models.PositiveIntegerField(null=True, blank=True)
    max_total_size_per_user = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes")
    create_thumbnails = models.BooleanField(default=True)
    thumbnail_sizes = models.JSONField(default=dict, help_text='{"small": [150, 150], "medium": [300, 300]}')
    compression_quality = models.PositiveSmallIntegerField(default=85)
    storage_path = models.CharField(max_length=255)
    is_public = models.BooleanField(default=True, help_text="Files are public unless the uploader asks otherwise.")
    allow_private = models.BooleanField(default=False, help_text="Uploader may mark files private.")
    staff_only = models.BooleanField(default=False, help_text="Only staff may upload in this context.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["context"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compression_quality__gte=1, compression_quality__lte=100),
                name="files_config_quality_1_100",
            ),
            models.CheckConstraint(condition=models.Q(max_file_size__gt=0), name="files_config_max_size_gt_0"),
        ]

    def __str__(self):
        return self.context

    def clean(self):
        """Admin-side checks of the JSON rules, so a typo cannot break uploads."""
        errors = {}
        mimes = self.allowed_mime_types
        if not isinstance(mimes, list) or not all(isinstance(m, str) for m in mimes):
            errors["allowed_mime_types"] = 'A list of MIME types, e.g. ["image/jpeg", "image/png"].'
        else:
            unknown = sorted(set(mimes) - set(SUPPORTED_MIME_TYPES))
            if unknown:
                errors["allowed_mime_types"] = (
                    f"Not supported: {', '.join(unknown)}. Supported: {', '.join(SUPPORTED_MIME_TYPES)}."
                )
        extensions = self.allowed_extensions
        if not isinstance(extensions, list) or not all(isinstance(e, str) for e in extensions):
            errors["allowed_extensions"] = 'A list of extensions without the dot, e.g. ["jpg", "png"].'
        else:
            known = {ext for exts in EXTENSIONS_BY_MIME.values() for ext in exts}
            unknown = sorted({e.lower().lstrip(".") for e in extensions} - known)
            if unknown:
                errors["allowed_extensions"] = f"Not supported: {', '.join(unknown)}."
        sizes = self.thumbnail_sizes
        if not isinstance(sizes, dict) or not all(
            isinstance(name, str)
            and name
            and isinstance(box, list | tuple)
            and len(box) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4000 for v in box)
            for name, box in sizes.items()
        ):
            errors["thumbnail_sizes"] = 'An object of name -> [width, height], e.g. {"small": [150, 150]}.'
        for low, high in (("min_width", "max_width"), ("min_height", "max_height")):
            if getattr(self, low) and getattr(self, high) and getattr(self, low) > getattr(self, high):
                errors[low] = f"Must not exceed {high}."
        for name in ("max_frames", "max_total_pixels"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                errors[name] = "At least 1, or empty for the service ceiling."
        if self.max_files_per_upload is not None and self.max_files_per_upload < 1:
            errors["max_files_per_upload"] = "At least 1."
        path = (self.storage_path or "").strip()
        if not path or path.startswith("/") or ".." in path.split("/") or "\\" in path:
            errors["storage_path"] = "A relative folder such as uploads/reviews/."
        if errors:
            raise ValidationError(errors)


class UploadedFile(models.Model):
    """One stored file, whatever domain it belongs to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploaded_files"
    )
    context = models.CharField(max_length=50, choices=UploadContext.choices)
    related_entity_type = models.CharField(max_length=50, blank=True)
    related_entity_id = models.PositiveBigIntegerField(null=True, blank=True)

    file = models.CharField(max_length=500, help_text="Storage key of the processed file")
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    media_type = models.CharField(max_length=10, choices=MediaType.choices)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnails = models.JSONField(default=dict, blank=True, help_text="size name -> storage key")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the uploaded bytes")

    status = models.CharField(max_length=20, choices=FileStatus.choices, default=FileStatus.PROCESSING)
    is_public = models.BooleanField(default=True)
    is_temporary = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    processing_error = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True, help_text="When the blobs were removed from storage")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Dedupe: the same bytes by the same owner in the same context (and visibility) are stored once.
            models.UniqueConstraint(
                fields=["owner", "context", "sha256", "is_public"],
                condition=models.Q(status="active"),
                name="files_unique_active_hash_per_owner_context",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="files_size_gt_0"),
        ]
        indexes = [
            models.Index(fields=["owner", "context", "status"]),
            models.Index(fields=["related_entity_type", "related_entity_id"]),
            models.Index(fields=["is_temporary", "expires_at"]),
            models.Index(fields=["status", "deleted_at"]),
        ]

    def __str__(self):
        return f"{self.context}:{self.original_filename}"

    @property
    def storage_alias(self):
        """Key of ``settings.STORAGES`` holding the blobs: private files never touch the public storage."""
        return PUBLIC_STORAGE if self.is_public else PRIVATE_STORAGE

    @property
    def storage_keys(self):
        return [key for key in [self.file, *self.thumbnails.values()] if key]


PUBLIC_STORAGE = "default"
PRIVATE_STORAGE = "private"
