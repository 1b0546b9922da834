import io
import os
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from shop.files import services
from shop.files.models import FileStatus, UploadedFile
from shop.files.tasks import cleanup_files
from shop.files.tests.factories import UploadedFileFactory, jpeg_bytes, upload
from skincare.celery import app

pytestmark = pytest.mark.django_db

STRAY = "uploads/reviews/2026/01/" + "a" * 32 + ".jpg"
STRAY_THUMBNAIL = "uploads/reviews/2026/01/" + "a" * 32 + "_small.jpg"


def make_file(owner, context="review", *, color=(10, 20, 30), **kwargs):
    [file] = services.file_upload(
        owner=owner, context=context, uploads=[upload(jpeg_bytes((400, 400), color=color))], **kwargs
    )
    return file


def age(storage_alias, key, hours):
    path = storages[storage_alias].path(key)
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


def test_expired_temporary_files_are_deleted_and_purged(user, settings):
    settings.TEMPORARY_FILE_TTL = timedelta(hours=2)
    temporary = make_file(user, temporary=True, color=(1, 1, 1))
    private_temporary = make_file(user, "progress", temporary=True, color=(2, 2, 2))
    permanent = make_file(user, color=(3, 3, 3))
    user.refresh_from_db()
    assert user.files_uploaded == 3

    not_yet = services.files_cleanup(now=timezone.now() + timedelta(hours=1))
    result = services.files_cleanup(now=timezone.now() + timedelta(hours=3))

    assert not_yet == {"expired": 0, "purged": 0, "stray": 0}
    assert result == {"expired": 2, "purged": 2, "stray": 0}
    for file, alias in [(temporary, "default"), (private_temporary, "private")]:
        file.refresh_from_db()
        assert file.status == FileStatus.DELETED
        assert file.purged_at is not None
        assert [storages[alias].exists(key) for key in file.storage_keys] == [False] * 4
    permanent.refresh_from_db()
    assert permanent.status == FileStatus.ACTIVE
    assert all(storages["default"].exists(key) for key in permanent.storage_keys)
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (1, permanent.size)


def test_attached_temporary_file_survives_cleanup(user):
    file = make_file(user, temporary=True)
    services.file_attach(file=file, entity_type="review", entity_id=7)

    result = services.files_cleanup(now=timezone.now() + timedelta(days=30))

    assert result == {"expired": 0, "purged": 0, "stray": 0}
    file.refresh_from_db()
    assert (file.status, file.is_temporary, file.expires_at) == (FileStatus.ACTIVE, False, None)


def test_blobs_of_soft_deleted_files_are_purged_once(user):
    file = make_file(user)
    services.file_delete(file=file)
    assert storages["default"].exists(file.file)

    first = services.files_cleanup()
    second = services.files_cleanup()

    assert first == {"expired": 0, "purged": 1, "stray": 0}
    assert second == {"expired": 0, "purged": 0, "stray": 0}
    assert [storages["default"].exists(key) for key in file.storage_keys] == [False] * 4
    file.refresh_from_db()
    assert file.status == FileStatus.DELETED  # the row stays for the record


def test_stray_blobs_older_than_an_hour_are_removed(user):
    kept = make_file(user)
    for key in (STRAY, STRAY_THUMBNAIL):
        storages["default"].save(key, ContentFile(b"left over by a rolled back upload"))
    storages["private"].save("uploads/progress/2026/01/" + "b" * 32 + ".jpg", ContentFile(b"left over"))
    foreign = storages["default"].save("uploads/reviews/readme.txt", ContentFile(b"not named like ours"))
    outside = storages["default"].save("catalog/" + "c" * 32 + ".jpg", ContentFile(b"another app's file"))

    fresh = services.files_cleanup()
    later = services.files_cleanup(now=timezone.now() + timedelta(hours=2))

    assert fresh == {"expired": 0, "purged": 0, "stray": 0}
    assert later == {"expired": 0, "purged": 0, "stray": 3}
    assert storages["default"].exists(STRAY) is False
    assert storages["default"].exists(STRAY_THUMBNAIL) is False
    assert storages["default"].exists(foreign) is True
    assert storages["default"].exists(outside) is True
    assert all(storages["default"].exists(key) for key in kept.storage_keys)


def test_blobs_of_rolled_back_uploads_are_collected(user, monkeypatch, stored_blobs):
    """A caller's transaction can roll back after file_upload returned: the blobs stay until cleanup."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        make_file(user)
        raise RuntimeError("the review could not be saved")

    assert UploadedFile.objects.count() == 0
    assert len(stored_blobs()["public"]) == 4
    for key in stored_blobs()["public"]:
        age("default", key, hours=2)

    assert services.files_cleanup() == {"expired": 0, "purged": 0, "stray": 4}
    assert stored_blobs() == {"public": [], "private": []}


def test_cleanup_task_is_registered_and_runs_the_service(user):
    file = make_file(user)
    services.file_delete(file=file)

    assert cleanup_files.name == "files.cleanup"
    assert app.tasks["files.cleanup"].run is cleanup_files.run
    assert django_settings.CELERY_BEAT_SCHEDULE["files-cleanup"]["task"] == cleanup_files.name
    result = cleanup_files.delay().get()

    assert result == {"expired": 0, "purged": 1, "stray": 0}


def test_cleanup_command_prints_the_counts(user):
    file = make_file(user)
    services.file_delete(file=file)
    UploadedFileFactory(owner=user, is_temporary=True, expires_at=timezone.now() - timedelta(minutes=5))
    out = io.StringIO()

    call_command("cleanup_files", stdout=out)

    assert out.getvalue() == "Expired temporary files: 1\nPurged deleted files: 2\nRemoved stray blobs: 0\n"
