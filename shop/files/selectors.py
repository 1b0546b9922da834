"""Reads of the file registry. Other apps use these instead of querying ``UploadedFile`` directly."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shop.files.models import FileStatus, FileUploadConfig, UploadedFile
from skincare.api.permissions import user_has_permission


def upload_config_get(*, context: str) -> FileUploadConfig | None:
    return FileUploadConfig.objects.filter(context=context).first()


def available_files_q(*, now=None) -> Q:
    """Active and not an expired temporary file (those wait for the cleanup job)."""
    now = now or timezone.now()
    return Q(status=FileStatus.ACTIVE) & (Q(is_temporary=False) | Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def file_list_for_owner(*, owner, context: str | None = None) -> QuerySet[UploadedFile]:
    files = UploadedFile.objects.filter(available_files_q(), owner=owner)
    if context:
        files = files.filter(context=context)
    return files.order_by("-created_at", "-id")


def file_get_visible(*, public_id, user) -> UploadedFile | None:
    """The file if ``user`` may see it: public files to anyone, private ones to their owner and moderators."""
    file = UploadedFile.objects.filter(available_files_q(), public_id=public_id).select_related("owner").first()
    if file is None or file.is_public:
        return file
    if user is not None and user.is_authenticated and file.owner_id == user.pk:
        return file
    return file if user_has_permission(user, "files.view_uploadedfile") else None


def file_get_owned(*, public_id, owner) -> UploadedFile | None:
    if owner is None or not owner.is_authenticated:
        return None
    return UploadedFile.objects.filter(available_files_q(), public_id=public_id, owner=owner).first()


def files_for_entity(*, entity_type: str, entity_id: int) -> QuerySet[UploadedFile]:
    return UploadedFile.objects.filter(
        available_files_q(), related_entity_type=entity_type, related_entity_id=entity_id
    ).order_by("created_at", "id")


def file_usage(*, owner, context: str) -> dict:
    """What counts towards the per-context quotas: every active file, temporary ones included."""
    usage = UploadedFile.objects.filter(owner=owner, context=context, status=FileStatus.ACTIVE).aggregate(
        count=Count("id"), bytes=Sum("size")
    )
    return {"count": usage["count"] or 0, "bytes": usage["bytes"] or 0}
