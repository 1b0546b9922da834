from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils import timezone

from shop.files import selectors, services
from shop.files.models import FileStatus, FileUploadConfig
from shop.files.tests.factories import UploadedFileFactory, jpeg_bytes, upload
from skincare.errors import ApplicationError

pytestmark = pytest.mark.django_db


def make_file(owner, context="review", **kwargs):
    [file] = services.file_upload(owner=owner, context=context, uploads=[upload(jpeg_bytes((400, 400)))], **kwargs)
    return file


def test_seeded_upload_rules():
    rules = {
        c.context: (c.max_file_size, c.max_files_per_upload, c.max_files_per_user, c.is_public, c.allow_private)
        for c in FileUploadConfig.objects.all()
    }

    assert rules == {
        "profile": (5 * 1024 * 1024, 2, 3, True, False),
        "product": (20 * 1024 * 1024, 10, None, True, False),
        "review": (10 * 1024 * 1024, 8, 100, True, True),
        "progress": (10 * 1024 * 1024, 5, 500, False, True),
        "qa": (8 * 1024 * 1024, 3, 50, True, False),
        "skin": (10 * 1024 * 1024, 1, 500, False, True),
    }
    assert FileUploadConfig.objects.get(context="product").staff_only is True


def test_upload_accepts_plain_django_file_objects(user, tmp_path):
    path = tmp_path / "on-disk.jpg"
    path.write_bytes(jpeg_bytes((400, 400)))

    with path.open("rb") as handle:
        [from_disk] = services.file_upload(owner=user, context="review", uploads=[File(handle, name="dir/on-disk.jpg")])
    [from_memory] = services.file_upload(
        owner=user, context="review", uploads=[ContentFile(jpeg_bytes((400, 400), color=(1, 2, 3)), name="mem.jpg")]
    )

    assert (from_disk.original_filename, from_memory.original_filename) == ("on-disk.jpg", "mem.jpg")
    user.refresh_from_db()
    assert user.files_uploaded == 2


def test_upload_refreshes_the_owner_counters_in_memory(user):
    file = make_file(user)

    assert (user.files_uploaded, user.storage_used) == (1, file.size)


def test_upload_by_an_inactive_user_is_refused(user):
    user.is_active = False

    with pytest.raises(ApplicationError) as excinfo:
        make_file(user)

    assert (excinfo.value.code, excinfo.value.code.status) == ("UPLOAD_NOT_ALLOWED", 403)


def test_upload_without_files_is_refused(user):
    with pytest.raises(ApplicationError) as excinfo:
        services.file_upload(owner=user, context="review", uploads=[])

    assert excinfo.value.error_code == "NO_FILES"


def test_filename_is_sanitised(user):
    [file] = services.file_upload(
        owner=user, context="review", uploads=[upload(jpeg_bytes((400, 400)), "..\\..\\evil\x00\n name.jpg")]
    )

    assert file.original_filename == "evil name.jpg"


def test_storage_keys_contain_a_random_uuid(user):
    first = make_file(user)
    [second] = services.file_upload(
        owner=user, context="review", uploads=[upload(jpeg_bytes((400, 400), color=(1, 1, 1)))]
    )

    month = timezone.now().strftime("%Y/%m")
    for file in (first, second):
        name = file.file.rsplit("/", 1)[-1]
        assert file.file == f"uploads/reviews/{month}/{name}"
        assert len(name) == len("0" * 32 + ".jpg")
        assert file.thumbnails == {
            size: f"uploads/reviews/{month}/{name[:32]}_{size}.jpg" for size in ("thumbnail", "small", "medium")
        }
    assert first.file != second.file


def test_file_attach_makes_the_file_permanent(user):
    file = make_file(user, temporary=True)

    attached = services.file_attach(file=file, entity_type="review", entity_id=42)

    assert (attached.related_entity_type, attached.related_entity_id) == ("review", 42)
    assert (attached.is_temporary, attached.expires_at) == (False, None)
    assert list(selectors.files_for_entity(entity_type="review", entity_id=42)) == [file]


@pytest.mark.parametrize(
    "state",
    [
        {"status": FileStatus.DELETED},
        {"is_temporary": True, "expires_at": timezone.now() - timedelta(seconds=1)},
    ],
)
def test_file_attach_refuses_deleted_or_expired_files(user, state):
    file = UploadedFileFactory(owner=user, **state)

    with pytest.raises(ApplicationError) as excinfo:
        services.file_attach(file=file, entity_type="review", entity_id=1)

    assert excinfo.value.error_code == "FILE_NOT_AVAILABLE"


def test_file_delete_is_idempotent(user):
    file = make_file(user)

    services.file_delete(file=file)
    services.file_delete(file=file)

    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (0, 0)


def test_counters_never_go_negative(user):
    file = UploadedFileFactory(owner=user, size=5000)

    services.file_delete(file=file)

    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (0, 0)


def test_file_url_for_public_and_private_files(user, rf):
    public = make_file(user)
    private = make_file(user, "progress")
    request = rf.get("/")

    assert services.file_url(file=public) == f"/media/{public.file}"
    assert services.file_url(file=public, size="small") == f"/media/{public.thumbnails['small']}"
    assert services.file_url(file=public, size="unknown") == f"/media/{public.file}"
    assert services.file_url(file=public, request=request) == f"http://testserver/media/{public.file}"
    assert services.file_url(file=private) == f"/api/v1/files/{private.public_id}/content"
    assert services.file_url(file=private, size="small", request=request) == (
        f"http://testserver/api/v1/files/{private.public_id}/content?size=small"
    )


def test_config_validation_catches_bad_rules():
    config = FileUploadConfig.objects.get(context="review")
    config.allowed_mime_types = ["image/jpeg", "application/pdf"]
    config.allowed_extensions = ["jpg", "exe"]
    config.thumbnail_sizes = {"small": [150]}
    config.min_width, config.max_width = 500, 400
    config.storage_path = "../etc/"

    with pytest.raises(ValidationError) as excinfo:
        config.full_clean()

    assert excinfo.value.message_dict == {
        "allowed_mime_types": [
            "Not supported: application/pdf. Supported: image/jpeg, image/png, image/webp, image/gif, "
            "video/mp4, video/webm."
        ],
        "allowed_extensions": ["Not supported: exe."],
        "thumbnail_sizes": ['An object of name -> [width, height], e.g. {"small": [150, 150]}.'],
        "min_width": ["Must not exceed max_width."],
        "storage_path": ["A relative folder such as uploads/reviews/."],
    }


def test_seeded_configs_are_valid():
    for config in FileUploadConfig.objects.all():
        config.full_clean()


def test_invalid_thumbnail_sizes_in_the_database_are_skipped(user):
    FileUploadConfig.objects.filter(context="review").update(thumbnail_sizes={"ok": [100, 100], "bad": "x"})

    file = make_file(user)

    assert list(file.thumbnails) == ["ok"]


def test_thumbnails_can_be_switched_off(user):
    FileUploadConfig.objects.filter(context="review").update(create_thumbnails=False)

    assert make_file(user).thumbnails == {}


def test_file_usage_counts_active_files_of_the_context(user):
    file = make_file(user)
    UploadedFileFactory(owner=user, size=10, status=FileStatus.DELETED)
    UploadedFileFactory(owner=user, size=20, context="qa")

    usage = selectors.file_usage(owner=user, context="review")

    assert usage == {"count": 1, "bytes": file.size}
