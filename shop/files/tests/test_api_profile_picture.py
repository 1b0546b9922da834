import pytest

from shop.files.models import FileStatus, UploadedFile
from shop.files.tests.factories import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/profile/picture"


def set_picture(client, content, name="me.jpg"):
    return client.post(URL, {"file": upload(content, name)}, format="multipart")


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_profile_picture_requires_authentication(api_client, method):
    response = getattr(api_client, method)(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_no_profile_picture_yet(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "success", "data": None}


def test_set_profile_picture(auth_client, user):
    response = set_picture(auth_client, jpeg_bytes((400, 400)))

    assert response.status_code == 201
    picture = UploadedFile.objects.get()
    data = response.json()["data"]
    assert data["id"] == str(picture.public_id)
    assert data["context"] == "profile"
    assert sorted(data["thumbnails"]) == ["large", "medium", "small"]
    assert (picture.related_entity_type, picture.related_entity_id, picture.is_temporary) == ("user", user.pk, False)
    user.refresh_from_db()
    assert user.profile_picture == picture
    assert (user.files_uploaded, user.storage_used) == (1, picture.size)
    assert auth_client.get(URL).json()["data"]["id"] == str(picture.public_id)


def test_new_profile_picture_replaces_and_deletes_the_old_one(auth_client, user):
    old_id = set_picture(auth_client, jpeg_bytes((400, 400))).json()["data"]["id"]

    response = set_picture(auth_client, png_bytes((500, 500)), "new.png")

    assert response.status_code == 201
    old = UploadedFile.objects.get(public_id=old_id)
    new = UploadedFile.objects.get(public_id=response.json()["data"]["id"])
    assert old.status == FileStatus.DELETED
    assert new.status == FileStatus.ACTIVE
    user.refresh_from_db()
    assert user.profile_picture == new
    assert (user.files_uploaded, user.storage_used) == (1, new.size)


def test_same_picture_again_keeps_it(auth_client, user):
    content = jpeg_bytes((400, 400))
    first = set_picture(auth_client, content).json()["data"]["id"]

    second = set_picture(auth_client, content)

    assert second.json()["data"]["id"] == first
    assert UploadedFile.objects.get().status == FileStatus.ACTIVE
    user.refresh_from_db()
    assert str(user.profile_picture.public_id) == first


def test_invalid_profile_picture_keeps_the_current_one(auth_client, user):
    current = set_picture(auth_client, jpeg_bytes((400, 400))).json()["data"]["id"]

    response = set_picture(auth_client, jpeg_bytes((50, 50)), "tiny.jpg")

    assert response.status_code == 400
    assert response.json()["code"] == "IMAGE_TOO_SMALL"
    user.refresh_from_db()
    assert str(user.profile_picture.public_id) == current
    assert UploadedFile.objects.count() == 1


def test_profile_picture_without_file_field(auth_client):
    response = auth_client.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["No file was submitted."]}


def test_remove_profile_picture(auth_client, user):
    set_picture(auth_client, jpeg_bytes((400, 400)))

    response = auth_client.delete(URL)

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.profile_picture is None
    assert (user.files_uploaded, user.storage_used) == (0, 0)
    assert UploadedFile.objects.get().status == FileStatus.DELETED
    assert auth_client.get(URL).json()["data"] is None
    assert auth_client.delete(URL).status_code == 204


def test_deleting_the_picture_file_clears_the_profile_picture(auth_client, user):
    picture_id = set_picture(auth_client, jpeg_bytes((400, 400))).json()["data"]["id"]

    assert auth_client.delete(f"/api/v1/files/{picture_id}").status_code == 204

    user.refresh_from_db()
    assert user.profile_picture is None


ALIAS = "/api/v1/upload/profile-picture"


@pytest.mark.parametrize("field", ["file", "files"])
def test_short_url_sets_the_profile_picture(auth_client, user, field):
    old_id = set_picture(auth_client, jpeg_bytes((400, 400))).json()["data"]["id"]

    response = auth_client.post(ALIAS, {field: upload(png_bytes((500, 500)), "new.png")}, format="multipart")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["context"] == "profile"
    user.refresh_from_db()
    assert str(user.profile_picture.public_id) == data["id"]
    assert UploadedFile.objects.get(public_id=old_id).status == FileStatus.DELETED
    assert (user.files_uploaded, user.storage_used) == (1, user.profile_picture.size)
    assert auth_client.get(URL).json()["data"]["id"] == data["id"]


def test_short_url_takes_exactly_one_picture(auth_client, user):
    two = [upload(jpeg_bytes((400, 400))), upload(png_bytes((500, 500)), "b.png")]

    for payload in ({"files": two}, {}):
        response = auth_client.post(ALIAS, payload, format="multipart")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["file"]

    assert UploadedFile.objects.count() == 0
    user.refresh_from_db()
    assert user.profile_picture is None
