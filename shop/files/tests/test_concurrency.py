"""Parallel uploads by one owner against the real database (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from shop.files import services
from shop.files.models import FileStatus, UploadedFile
from shop.files.tests.factories import jpeg_bytes, set_config, upload
from skincare.errors import ApplicationError

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; run with DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _upload_configs():
    """Transactional tests start from a flushed database: put the seeded upload rules back.

    (serialized_rollback clashes with content types recreated by earlier flushes.)
    """
    from importlib import import_module

    from django.apps import apps

    import_module("shop.files.migrations.0002_seed_upload_configs").seed(apps, None)


def run_in_parallel(count, work):
    barrier = threading.Barrier(count)
    results = []

    def worker(index):
        try:
            barrier.wait(timeout=10)
            work(index)
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.error_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_parallel_uploads_cannot_exceed_the_count_quota(user):
    set_config("review", max_files_per_user=2)
    contents = [jpeg_bytes((400, 400), color=(index * 20, 0, 0)) for index in range(6)]

    results = run_in_parallel(
        6, lambda i: services.file_upload(owner=user, context="review", uploads=[upload(contents[i], f"{i}.jpg")])
    )

    assert results == ["FILE_QUOTA_EXCEEDED"] * 4 + ["ok"] * 2
    assert UploadedFile.objects.filter(status=FileStatus.ACTIVE).count() == 2
    user.refresh_from_db()
    assert user.files_uploaded == 2


def test_parallel_uploads_of_the_same_bytes_store_one_file(user):
    content = jpeg_bytes((400, 400))

    results = run_in_parallel(
        4, lambda i: services.file_upload(owner=user, context="review", uploads=[upload(content, f"{i}.jpg")])
    )

    assert results == ["ok"] * 4
    assert UploadedFile.objects.count() == 1
    user.refresh_from_db()
    assert user.files_uploaded == 1
