import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image

from shop.files import services
from shop.files.models import FileStatus, UploadedFile
from shop.files.tests.factories import UploadedFileFactory, jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def make_file(owner, context="review", *, color=(10, 20, 30), **kwargs):
    [file] = services.file_upload(
        owner=owner, context=context, uploads=[upload(jpeg_bytes((400, 400), color=color))], **kwargs
    )
    return file


def read(response):
    return b"".join(response.streaming_content)


# --- GET files ----------------------------------------------------------------------------------


def test_list_shows_only_my_available_files_newest_first(auth_client, user, other_user):
    older = make_file(user, "review", color=(1, 1, 1))
    newer = make_file(user, "qa", color=(2, 2, 2))
    make_file(other_user, "review", color=(3, 3, 3))
    deleted = make_file(user, "review", color=(4, 4, 4))
    services.file_delete(file=deleted)
    UploadedFileFactory(owner=user, is_temporary=True, expires_at=timezone.now() - timedelta(minutes=1))

    response = auth_client.get("/api/v1/files")

    assert response.status_code == 200
    body = response.json()
    assert [f["id"] for f in body["data"]] == [str(newer.public_id), str(older.public_id)]
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 2, "total_pages": 1}


def test_list_filters_by_context_and_paginates(auth_client, user):
    for shade in range(3):
        make_file(user, "review", color=(shade, shade, shade))
    make_file(user, "qa", color=(9, 9, 9))

    response = auth_client.get("/api/v1/files", {"context": "review", "per_page": 2, "page": 2})

    assert response.status_code == 200
    assert [f["context"] for f in response.json()["data"]] == ["review"]
    assert response.json()["meta"] == {"page": 2, "per_page": 2, "total": 3, "total_pages": 2}


def test_list_with_an_unknown_context_is_a_400(auth_client):
    response = auth_client.get("/api/v1/files", {"context": "nope"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert list(response.json()["errors"]) == ["context"]


def test_list_requires_authentication(api_client):
    response = api_client.get("/api/v1/files")

    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


# --- GET files/<id> -----------------------------------------------------------------------------


def test_detail_of_my_private_file(auth_client, user):
    file = make_file(user, "progress")

    response = auth_client.get(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(file.public_id)
    assert data["is_public"] is False
    assert data["url"] == f"http://testserver/api/v1/files/{file.public_id}/content"


def test_detail_of_someone_elses_public_file_is_visible(auth_client, other_user):
    file = make_file(other_user, "review")

    response = auth_client.get(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 200
    assert response.json()["data"]["url"] == f"http://testserver/media/{file.file}"


def test_detail_of_a_public_file_for_anonymous(api_client, other_user):
    file = make_file(other_user, "review")

    assert api_client.get(f"/api/v1/files/{file.public_id}").status_code == 200


@pytest.mark.parametrize("client_name", ["auth_client", "api_client"])
def test_detail_of_someone_elses_private_file_is_404(request, client_name, other_user):
    client = request.getfixturevalue(client_name)
    file = make_file(other_user, "progress")

    response = client.get(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "code": "NOT_FOUND", "message": "File not found.", "errors": {}}


def test_staff_see_private_files_of_others(staff_client, other_user):
    file = make_file(other_user, "progress")

    response = staff_client.get(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(file.public_id)


def test_detail_of_deleted_or_unknown_files_is_404(auth_client, user):
    file = make_file(user)
    services.file_delete(file=file)

    assert auth_client.get(f"/api/v1/files/{file.public_id}").status_code == 404
    assert auth_client.get(f"/api/v1/files/{uuid.uuid4()}").status_code == 404
    not_a_uuid = auth_client.get("/api/v1/files/not-a-uuid")
    assert not_a_uuid.status_code == 404
    assert not_a_uuid.json()["code"] == "NOT_FOUND"


# --- GET files/<id>/content ---------------------------------------------------------------------


def test_content_streams_my_private_file_with_safe_headers(auth_client, user):
    file = make_file(user, "progress")

    response = auth_client.get(f"/api/v1/files/{file.public_id}/content")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    with storages["private"].open(file.file, "rb") as blob:
        assert read(response) == blob.read()


def test_content_of_a_thumbnail(auth_client, user):
    file = make_file(user, "progress")

    response = auth_client.get(f"/api/v1/files/{file.public_id}/content", {"size": "thumbnail"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="photo_thumbnail.jpg"'
    assert Image.open(io.BytesIO(read(response))).size == (150, 150)


def test_content_with_an_unknown_size_is_a_400(auth_client, user):
    file = make_file(user, "progress")

    response = auth_client.get(f"/api/v1/files/{file.public_id}/content", {"size": "huge"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"size": ["Unknown size. Available: medium, small, thumbnail."]}


def test_content_ignores_the_accept_header(auth_client, user):
    file = make_file(user, "review")

    response = auth_client.get(f"/api/v1/files/{file.public_id}/content", HTTP_ACCEPT="image/jpeg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("client_name", ["auth_client", "api_client"])
def test_content_of_someone_elses_private_file_is_404(request, client_name, other_user):
    client = request.getfixturevalue(client_name)
    file = make_file(other_user, "progress")

    response = client.get(f"/api/v1/files/{file.public_id}/content", HTTP_ACCEPT="image/*")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_staff_read_private_content_of_others(staff_client, other_user):
    file = make_file(other_user, "review", private=True)

    response = staff_client.get(f"/api/v1/files/{file.public_id}/content")

    assert response.status_code == 200
    with storages["private"].open(file.file, "rb") as blob:
        assert read(response) == blob.read()


def test_content_of_a_public_file_for_anonymous(api_client, other_user):
    file = make_file(other_user, "review")

    response = api_client.get(f"/api/v1/files/{file.public_id}/content")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"


def test_content_with_a_missing_blob_is_404(auth_client, user):
    file = make_file(user, "progress")
    storages["private"].delete(file.file)

    response = auth_client.get(f"/api/v1/files/{file.public_id}/content")

    assert response.status_code == 404


# --- DELETE files/<id> --------------------------------------------------------------------------


def test_delete_my_file_soft_deletes_and_gives_back_the_counters(auth_client, user):
    keep = make_file(user, color=(1, 1, 1))
    file = make_file(user, color=(2, 2, 2))

    response = auth_client.delete(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 204
    assert response.content == b""
    file.refresh_from_db()
    assert file.status == FileStatus.DELETED
    assert file.deleted_at is not None
    assert storages["default"].exists(file.file)  # blobs go with the cleanup job
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (1, keep.size)
    assert auth_client.get(f"/api/v1/files/{file.public_id}").status_code == 404
    assert auth_client.delete(f"/api/v1/files/{file.public_id}").status_code == 404


def test_reupload_after_delete_creates_a_new_file(auth_client, user):
    content = jpeg_bytes((400, 400))
    first = auth_client.post("/api/v1/uploads/review", {"files": [upload(content)]}, format="multipart")
    auth_client.delete(f"/api/v1/files/{first.json()['data'][0]['id']}")

    second = auth_client.post("/api/v1/uploads/review", {"files": [upload(content)]}, format="multipart")

    assert second.status_code == 201
    assert second.json()["data"][0]["id"] != first.json()["data"][0]["id"]
    assert UploadedFile.objects.filter(status=FileStatus.ACTIVE).count() == 1


@pytest.mark.parametrize("context", ["review", "progress"])
def test_delete_someone_elses_file_is_404(auth_client, other_user, context):
    file = make_file(other_user, context)

    response = auth_client.delete(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 404
    file.refresh_from_db()
    assert file.status == FileStatus.ACTIVE


def test_staff_cannot_delete_others_files_through_the_api(staff_client, other_user):
    file = make_file(other_user)

    assert staff_client.delete(f"/api/v1/files/{file.public_id}").status_code == 404


def test_delete_requires_authentication(api_client, other_user):
    file = make_file(other_user)

    response = api_client.delete(f"/api/v1/files/{file.public_id}")

    assert response.status_code == 401
    file.refresh_from_db()
    assert file.status == FileStatus.ACTIVE
