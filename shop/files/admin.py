from django.contrib import admin, messages
from django.utils.html import format_html

from shop.files.models import FileStatus, FileUploadConfig, MediaType, UploadedFile
from shop.files.services import file_delete, file_url

PREVIEW_THUMBNAILS = ("thumbnail", "small")


def _size(value):
    if value is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:g} {unit}"
        value = round(value / 1024, 1)
    return str(value)


def _box(width, height):
    return f"{width or '-'} x {height or '-'}" if width or height else "-"


@admin.register(FileUploadConfig)
class FileUploadConfigAdmin(admin.ModelAdmin):
    list_display = [
        "context",
        "max_size",
        "min_dimensions",
        "max_dimensions",
        "max_files_per_upload",
        "max_files_per_user",
        "quota",
        "is_public",
        "allow_private",
        "staff_only",
        "updated_at",
    ]
    list_filter = ["is_public", "allow_private", "staff_only"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["context", "description", "storage_path"]}),
        ("Files", {"fields": ["max_file_size", "allowed_mime_types", "allowed_extensions", "max_files_per_upload"]}),
        (
            "Images",
            {
                "fields": [
                    "min_width",
                    "min_height",
                    "max_width",
                    "max_height",
                    "max_frames",
                    "max_total_pixels",
                    "compression_quality",
                ]
            },
        ),
        ("Thumbnails", {"fields": ["create_thumbnails", "thumbnail_sizes"]}),
        ("Per-user quotas", {"fields": ["max_files_per_user", "max_total_size_per_user"]}),
        ("Access", {"fields": ["is_public", "allow_private", "staff_only", "updated_at"]}),
    ]

    @admin.display(description="Max size", ordering="max_file_size")
    def max_size(self, config):
        return _size(config.max_file_size)

    @admin.display(description="Min px")
    def min_dimensions(self, config):
        return _box(config.min_width, config.min_height)

    @admin.display(description="Max px")
    def max_dimensions(self, config):
        return _box(config.max_width, config.max_height)

    @admin.display(description="Bytes per user", ordering="max_total_size_per_user")
    def quota(self, config):
        return _size(config.max_total_size_per_user)

    def has_delete_permission(self, request, obj=None):
        return False  # uploads in a context without rules would stop working


@admin.register(UploadedFile)
class UploadedFileAdmin(admin.ModelAdmin):
    list_display = [
        "preview",
        "original_filename",
        "context",
        "owner",
        "media_type",
        "readable_size",
        "dimensions",
        "status",
        "is_public",
        "is_temporary",
        "created_at",
    ]
    list_filter = ["context", "status", "media_type", "is_public", "is_temporary"]
    search_fields = ["owner__email", "original_filename", "=public_id", "=sha256"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    actions = ["soft_delete"]
    readonly_fields = [
        "large_preview",
        *[f.name for f in UploadedFile._meta.concrete_fields if f.name != "id"],
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # soft delete through the action keeps counters and blobs consistent

    def _thumbnail_img(self, file, size, height):
        if file.media_type != MediaType.IMAGE or file.status != FileStatus.ACTIVE:
            return "-"
        if size is None:  # the smallest usual thumbnail (JSONB does not keep the key order)
            preferred = [name for name in PREVIEW_THUMBNAILS if name in file.thumbnails]
            size = (preferred or sorted(file.thumbnails) or [None])[0]
        return format_html(
            '<img src="{}" style="max-height:{}px;max-width:{}px" alt="">',
            file_url(file=file, size=size),
            height,
            height * 2,
        )

    @admin.display(description="Preview")
    def preview(self, file):
        return self._thumbnail_img(file, None, 48)

    @admin.display(description="Preview")
    def large_preview(self, file):
        return self._thumbnail_img(file, "", 300)

    @admin.display(description="Size", ordering="size")
    def readable_size(self, file):
        return _size(file.size)

    @admin.display(description="W x H")
    def dimensions(self, file):
        return _box(file.width, file.height)

    @admin.action(description="Soft-delete selected files", permissions=["change"])
    def soft_delete(self, request, queryset):
        deleted = 0
        for file in queryset.filter(status=FileStatus.ACTIVE):
            file_delete(file=file)
            deleted += 1
        self.message_user(request, f"{deleted} file(s) deleted.", messages.SUCCESS)
