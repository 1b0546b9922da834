import io
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import ExifTags, Image
from rest_framework.throttling import ScopedRateThrottle

from shop.files import services
from shop.files.models import FileStatus, UploadedFile
from shop.files.tests.factories import (
    animated_gif_bytes,
    image_bytes,
    jpeg_bytes,
    mp4_bytes,
    png_bomb_bytes,
    png_bytes,
    set_config,
    upload,
    zip_bytes,
)
from skincare.events import file_uploaded

pytestmark = pytest.mark.django_db


def post_files(client, context, *files, **fields):
    return client.post(f"/api/v1/uploads/{context}", {"files": list(files), **fields}, format="multipart")


def error(response):
    body = response.json()
    return response.status_code, body["code"], body["errors"]


def open_blob(alias, key):
    with storages[alias].open(key, "rb") as blob:
        return Image.open(io.BytesIO(blob.read()))


# --- Happy paths --------------------------------------------------------------------------------


def test_upload_review_photo_stores_reencoded_jpeg_with_configured_thumbnails(auth_client, user, stored_blobs):
    response = post_files(auth_client, "review", upload(jpeg_bytes((600, 450)), "My Photo.JPG"))

    assert response.status_code == 201
    [data] = response.json()["data"]
    file = UploadedFile.objects.get()
    assert data["id"] == str(file.public_id)
    assert data["context"] == "review"
    assert data["original_filename"] == "My Photo.JPG"
    assert data["mime_type"] == "image/jpeg"
    assert data["extension"] == "jpg"
    assert data["media_type"] == "image"
    assert (data["width"], data["height"]) == (600, 450)
    assert data["size"] == file.size == storages["default"].size(file.file)
    assert data["is_public"] is True
    assert data["is_temporary"] is False
    assert data["expires_at"] is None
    assert data["url"] == f"http://testserver/media/{file.file}"
    assert data["thumbnails"] == {name: f"http://testserver/media/{key}" for name, key in file.thumbnails.items()}
    assert file.status == FileStatus.ACTIVE
    assert file.owner == user
    assert file.file.startswith("uploads/reviews/")
    # Review thumbnails: thumbnail 150x150, small 400x400, medium 800x800 boxes; never upscaled.
    sizes = {name: open_blob("default", key).size for name, key in file.thumbnails.items()}
    assert sizes == {"thumbnail": (150, 113), "small": (400, 300), "medium": (600, 450)}
    assert stored_blobs() == {
        "public": sorted([file.file, *file.thumbnails.values()]),
        "private": [],
    }
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (1, file.size)


def test_upload_several_files_at_once(auth_client, user):
    response = post_files(
        auth_client,
        "review",
        upload(jpeg_bytes((400, 400), color=(1, 2, 3)), "a.jpg"),
        upload(png_bytes((400, 300)), "b.png", "image/png"),
        upload(image_bytes("WEBP", (300, 300)), "c.webp", "image/webp"),
    )

    assert response.status_code == 201
    assert [(f["original_filename"], f["mime_type"], f["extension"]) for f in response.json()["data"]] == [
        ("a.jpg", "image/jpeg", "jpg"),
        ("b.png", "image/png", "png"),
        ("c.webp", "image/webp", "webp"),
    ]
    user.refresh_from_db()
    assert user.files_uploaded == 3
    assert user.storage_used == sum(UploadedFile.objects.values_list("size", flat=True))


@pytest.mark.parametrize(
    ("alias", "context"),
    [
        ("review-photo", "review"),
        ("progress-photo", "progress"),
        ("question-image", "qa"),
    ],
)
def test_upload_aliases_use_their_context(auth_client, alias, context):
    response = auth_client.post(
        f"/api/v1/upload/{alias}", {"files": [upload(jpeg_bytes((400, 400)))]}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["data"][0]["context"] == context
    assert UploadedFile.objects.get().context == context


def test_upload_sends_file_uploaded_on_commit(auth_client, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, file, **kwargs):
        received.append((sender, file.public_id))

    file_uploaded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))))
    finally:
        file_uploaded.disconnect(receiver)

    assert response.status_code == 201
    assert received == [(UploadedFile, UploadedFile.objects.get().public_id)]


def test_upload_animated_gif_keeps_its_frames(auth_client):
    response = post_files(
        auth_client, "profile", upload(animated_gif_bytes((200, 200), frames=3), "a.gif", "image/gif")
    )

    assert response.status_code == 201
    file = UploadedFile.objects.get()
    stored = open_blob("default", file.file)
    assert (stored.format, stored.n_frames, stored.size) == ("GIF", 3, (200, 200))
    assert {name: open_blob("default", key).format for name, key in file.thumbnails.items()} == {
        "small": "PNG",
        "medium": "PNG",
        "large": "PNG",
    }


def test_upload_mp4_video_stored_as_is(auth_client):
    content = mp4_bytes()

    response = post_files(auth_client, "qa", upload(content, "clip.mp4", "video/mp4"))

    assert response.status_code == 201
    [data] = response.json()["data"]
    assert (data["media_type"], data["mime_type"], data["width"], data["thumbnails"]) == (
        "video",
        "video/mp4",
        None,
        {},
    )
    file = UploadedFile.objects.get()
    with storages["default"].open(file.file, "rb") as blob:
        assert blob.read() == content


def test_upload_staff_may_upload_product_media(staff_client):
    response = post_files(staff_client, "product", upload(jpeg_bytes((300, 300))))

    assert response.status_code == 201
    assert UploadedFile.objects.get().context == "product"


# --- Metadata, orientation, privacy -------------------------------------------------------------


def test_upload_strips_gps_exif_and_comments_from_stored_image_and_thumbnails(auth_client):
    original = jpeg_bytes((600, 450), gps=True, comment=b"taken at home")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}

    response = post_files(auth_client, "review", upload(original))

    assert response.status_code == 201
    file = UploadedFile.objects.get()
    for key in [file.file, *file.thumbnails.values()]:
        with storages["default"].open(key, "rb") as blob:
            content = blob.read()
        stored = Image.open(io.BytesIO(content))
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in stored.info
        assert "comment" not in stored.info
        assert b"PhoneMaker" not in content
        assert b"taken at home" not in content
    assert file.sha256 == __import__("hashlib").sha256(original).hexdigest()


def test_upload_applies_exif_orientation(auth_client):
    # Orientation 6: stored 400x300 sideways, shown 300x400.
    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 300), orientation=6)))

    assert response.status_code == 201
    assert (response.json()["data"][0]["width"], response.json()["data"][0]["height"]) == (300, 400)
    assert open_blob("default", UploadedFile.objects.get().file).size == (300, 400)


def test_progress_photo_is_private_outside_media_root(auth_client, stored_blobs, settings):
    response = post_files(auth_client, "progress", upload(jpeg_bytes((400, 400))))

    assert response.status_code == 201
    [data] = response.json()["data"]
    file = UploadedFile.objects.get()
    assert data["is_public"] is False
    assert file.is_public is False
    content_url = f"http://testserver/api/v1/files/{file.public_id}/content"
    assert data["url"] == content_url
    assert data["thumbnails"] == {name: f"{content_url}?size={name}" for name in ["thumbnail", "small", "medium"]}
    assert "/media/" not in str(data)
    assert stored_blobs() == {"public": [], "private": sorted([file.file, *file.thumbnails.values()])}
    assert not (settings.MEDIA_ROOT / file.file).exists()
    assert (settings.PRIVATE_MEDIA_ROOT / file.file).is_file()


def test_review_photo_can_be_made_private(auth_client, stored_blobs):
    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))), private=True)

    assert response.status_code == 201
    assert response.json()["data"][0]["is_public"] is False
    assert stored_blobs()["public"] == []
    assert len(stored_blobs()["private"]) == 4


def test_private_refused_where_the_context_does_not_allow_it(auth_client, stored_blobs):
    response = post_files(auth_client, "profile", upload(jpeg_bytes((400, 400))), private=True)

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "code": "PRIVATE_NOT_ALLOWED",
        "message": "Files in this context cannot be private.",
        "errors": {"private": ["Files in this context cannot be private."]},
    }
    assert UploadedFile.objects.count() == 0
    assert stored_blobs() == {"public": [], "private": []}


# --- Dedupe and temporary files -----------------------------------------------------------------


def test_same_bytes_again_returns_the_existing_file(auth_client, user, stored_blobs):
    content = jpeg_bytes((400, 400))
    first = post_files(auth_client, "review", upload(content, "one.jpg"))

    second = post_files(auth_client, "review", upload(content, "two.jpg"), upload(content, "three.jpg"))

    assert second.status_code == 201
    first_id = first.json()["data"][0]["id"]
    assert [f["id"] for f in second.json()["data"]] == [first_id, first_id]
    assert UploadedFile.objects.count() == 1
    assert len(stored_blobs()["public"]) == 4
    user.refresh_from_db()
    assert user.files_uploaded == 1


def test_same_bytes_in_another_context_or_by_another_user_is_a_new_file(auth_client, api_client, other_user):
    content = jpeg_bytes((400, 400))
    api_client.force_authenticate(other_user)

    ids = {
        post_files(auth_client, "review", upload(content)).json()["data"][0]["id"],
        post_files(auth_client, "qa", upload(content)).json()["data"][0]["id"],
        post_files(api_client, "review", upload(content)).json()["data"][0]["id"],
        post_files(auth_client, "review", upload(content), private=True).json()["data"][0]["id"],
    }

    assert len(ids) == 4
    assert UploadedFile.objects.count() == 4


def test_temporary_upload_expires_after_the_ttl(auth_client, settings):
    settings.TEMPORARY_FILE_TTL = timedelta(hours=3)
    before = timezone.now()

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))), temporary=True)

    assert response.status_code == 201
    file = UploadedFile.objects.get()
    assert file.is_temporary is True
    assert before + timedelta(hours=3) <= file.expires_at <= timezone.now() + timedelta(hours=3)
    assert response.json()["data"][0]["is_temporary"] is True


def test_permanent_reupload_of_a_temporary_file_makes_it_permanent(auth_client):
    content = jpeg_bytes((400, 400))
    post_files(auth_client, "review", upload(content), temporary=True)

    response = post_files(auth_client, "review", upload(content))

    assert response.status_code == 201
    file = UploadedFile.objects.get()
    assert (file.is_temporary, file.expires_at) == (False, None)


# --- Refusals: permissions and request shape ----------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/uploads/review", "/api/v1/upload/review-photo"])
def test_upload_requires_authentication(api_client, url):
    response = api_client.post(url, {"files": [upload(jpeg_bytes((400, 400)))]}, format="multipart")

    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
    assert UploadedFile.objects.count() == 0


def test_upload_to_staff_only_context_refused_for_customers(auth_client, stored_blobs):
    response = post_files(auth_client, "product", upload(jpeg_bytes((300, 300))))

    assert response.status_code == 403
    assert response.json() == {
        "status": "error",
        "code": "UPLOAD_NOT_ALLOWED",
        "message": "Only staff may upload files here.",
        "errors": {"files": ["Only staff may upload files here."]},
    }
    assert stored_blobs() == {"public": [], "private": []}


def test_upload_to_unknown_context_is_404(auth_client):
    response = post_files(auth_client, "avatars", upload(jpeg_bytes((400, 400))))

    assert response.status_code == 404
    assert response.json()["code"] == "UPLOAD_CONTEXT_NOT_FOUND"


def test_upload_without_files_field(auth_client):
    response = auth_client.post("/api/v1/uploads/review", {"private": "false"}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "code": "VALIDATION_ERROR",
        "message": "files: This field is required.",
        "errors": {"files": ["This field is required."]},
    }


def test_upload_with_json_body(auth_client):
    response = auth_client.post("/api/v1/uploads/review", {"files": ["not a file"]}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert list(response.json()["errors"]) == ["files"]


def test_upload_with_unsupported_body_type(auth_client):
    response = auth_client.post("/api/v1/uploads/review", b"raw bytes", content_type="application/octet-stream")

    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_upload_with_malformed_multipart_body(auth_client):
    response = auth_client.post(
        "/api/v1/uploads/review", b"--xx\r\nbroken", content_type="multipart/form-data; boundary=xx"
    )

    assert response.status_code == 400
    assert UploadedFile.objects.count() == 0


def test_too_many_files_in_one_upload(auth_client, stored_blobs):
    # Profile allows 2 files per upload.
    files = [upload(jpeg_bytes((400, 400), color=(i, i, i)), f"{i}.jpg") for i in range(3)]

    response = post_files(auth_client, "profile", *files)

    assert response.status_code == 400
    assert response.json()["code"] == "TOO_MANY_FILES"
    assert response.json()["message"] == "At most 2 file(s) can be uploaded at once here; got 3."
    assert stored_blobs() == {"public": [], "private": []}


def test_more_files_than_django_accepts_is_a_400(auth_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [upload(jpeg_bytes((400, 400)), f"{i}.jpg") for i in range(3)]

    response = post_files(auth_client, "review", *files)

    assert response.status_code == 400
    assert response.json()["code"] == "TOO_MANY_FILES"


def test_empty_file_refused(auth_client):
    response = post_files(auth_client, "review", upload(b"", "empty.jpg"))

    assert error(response) == (400, "FILE_EMPTY", {"files": ["empty.jpg: the file is empty."]})


def test_upload_throttled_by_the_upload_scope(auth_client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "upload": "1/hour"})

    first = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))))
    second = post_files(auth_client, "review", upload(jpeg_bytes((400, 400), color=(9, 9, 9))))

    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["code"] == "THROTTLED"


# --- Refusals: size, dimensions, quotas ---------------------------------------------------------


def test_file_over_the_context_size_limit_is_413(auth_client, stored_blobs):
    set_config("review", max_file_size=1000)

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400)), "big.jpg"))

    assert error(response) == (
        413,
        "FILE_TOO_LARGE",
        {"files": ["big.jpg: the file is larger than the 1000 bytes allowed here."]},
    )
    assert stored_blobs() == {"public": [], "private": []}


def test_body_over_the_context_ceiling_is_refused_before_parsing(auth_client):
    set_config("review", max_file_size=1000, max_files_per_upload=1)

    response = post_files(auth_client, "review", upload(b"\xff\xd8\xff" + bytes(400 * 1024), "huge.jpg"))

    assert response.status_code == 413
    assert response.json()["code"] == "FILE_TOO_LARGE"


def test_body_over_the_global_ceiling_is_413(auth_client, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))))

    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_image_below_the_minimum_dimensions(auth_client):
    response = post_files(auth_client, "review", upload(jpeg_bytes((299, 400)), "small.jpg"))

    assert error(response) == (
        400,
        "IMAGE_TOO_SMALL",
        {"files": ["small.jpg: The image is 299x400 px; the minimum is 300x300 px."]},
    )


def test_image_above_the_maximum_dimensions(auth_client):
    set_config("review", max_width=500, max_height=500)

    response = post_files(auth_client, "review", upload(jpeg_bytes((501, 400)), "wide.jpg"))

    assert error(response) == (
        400,
        "IMAGE_TOO_LARGE",
        {"files": ["wide.jpg: The image is 501x400 px; the maximum is 500x500 px."]},
    )


def test_decompression_bomb_refused_before_decoding(auth_client, stored_blobs):
    bomb = png_bomb_bytes(20000, 20000)
    assert len(bomb) < 100_000

    response = post_files(auth_client, "review", upload(bomb, "bomb.png", "image/png"))

    assert response.status_code == 400
    assert response.json()["code"] == "IMAGE_TOO_LARGE"
    assert stored_blobs() == {"public": [], "private": []}


def test_decompression_bomb_refused_even_without_configured_maximum(auth_client):
    set_config("review", max_width=None, max_height=None)

    response = post_files(auth_client, "review", upload(png_bomb_bytes(8000, 8000), "bomb.png", "image/png"))

    assert error(response) == (
        400,
        "IMAGE_TOO_LARGE",
        {"files": ["bomb.png: The image declares 8000x8000 px, more than this service decodes."]},
    )


def test_quota_on_file_count(auth_client, stored_blobs):
    set_config("review", max_files_per_user=1)
    assert post_files(auth_client, "review", upload(jpeg_bytes((400, 400)))).status_code == 201
    before = stored_blobs()

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400), color=(5, 5, 5))))

    assert error(response) == (
        400,
        "FILE_QUOTA_EXCEEDED",
        {"files": ["You can keep at most 1 files here and already have 1."]},
    )
    assert UploadedFile.objects.count() == 1
    assert stored_blobs() == before


def test_quota_on_bytes(auth_client, user, stored_blobs):
    post_files(auth_client, "review", upload(jpeg_bytes((400, 400))))
    used = UploadedFile.objects.get().size
    set_config("review", max_total_size_per_user=used + 10)
    before = stored_blobs()

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400), color=(5, 5, 5))))

    assert error(response) == (
        400,
        "FILE_QUOTA_EXCEEDED",
        {"files": [f"These files would take your storage here over {services._human_size(used + 10)}."]},
    )
    assert stored_blobs() == before
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (1, used)


def test_quota_ignores_deleted_files_and_duplicates(auth_client):
    set_config("review", max_files_per_user=1)
    content = jpeg_bytes((400, 400))
    first = post_files(auth_client, "review", upload(content))

    duplicate = post_files(auth_client, "review", upload(content))
    auth_client.delete(f"/api/v1/files/{first.json()['data'][0]['id']}")
    replacement = post_files(auth_client, "review", upload(jpeg_bytes((400, 400), color=(7, 7, 7))))

    assert (duplicate.status_code, replacement.status_code) == (201, 201)


# --- Refusals: content --------------------------------------------------------------------------


def test_png_named_jpg_is_an_extension_mismatch(auth_client):
    response = post_files(auth_client, "review", upload(png_bytes((400, 400)), "photo.jpg"))

    assert error(response) == (
        400,
        "FILE_EXTENSION_MISMATCH",
        {"files": ["photo.jpg: the content is PNG but the file has a JPG name."]},
    )


def test_jpeg_named_exe_is_an_extension_mismatch(auth_client):
    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400)), "setup.exe"))

    assert error(response) == (
        400,
        "FILE_EXTENSION_MISMATCH",
        {"files": ["setup.exe: the content is JPG but the file has the extension .exe."]},
    )


def test_jpeg_without_extension_is_accepted_as_jpeg(auth_client):
    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400)), "blob"))

    assert response.status_code == 201
    assert response.json()["data"][0]["extension"] == "jpg"


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"just some text, definitely not an image",
    ],
)
def test_text_or_html_named_jpg_is_refused(auth_client, content, stored_blobs):
    response = post_files(auth_client, "review", upload(content, "photo.jpg"))

    assert error(response) == (
        400,
        "FILE_TYPE_NOT_ALLOWED",
        {"files": ["photo.jpg: the content is not a recognised image or video; allowed here: jpg, png, webp."]},
    )
    assert stored_blobs() == {"public": [], "private": []}


def test_gif_refused_where_not_allowed(auth_client):
    response = post_files(auth_client, "review", upload(animated_gif_bytes((400, 400)), "a.gif", "image/gif"))

    assert error(response) == (
        400,
        "FILE_TYPE_NOT_ALLOWED",
        {"files": ["a.gif: the content is GIF; allowed here: jpg, png, webp."]},
    )


def test_video_refused_in_an_image_only_context(auth_client):
    response = post_files(auth_client, "review", upload(mp4_bytes(), "clip.mp4", "video/mp4"))

    assert response.status_code == 400
    assert response.json()["code"] == "FILE_TYPE_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("suffix", "name"),
    [
        (zip_bytes(), "zip appended"),
        (b"<script>alert(document.cookie)</script>", "script appended"),
        (b"anything at all after the end of the image", "text appended"),
    ],
)
def test_polyglot_jpeg_with_trailing_data_refused(auth_client, stored_blobs, suffix, name):
    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400)) + suffix, "poly.jpg"))

    assert response.status_code == 400, name
    assert response.json()["code"] == "FILE_CONTENT_REJECTED"
    assert stored_blobs() == {"public": [], "private": []}
    assert UploadedFile.objects.count() == 0


def test_png_with_zip_appended_refused(auth_client):
    response = post_files(auth_client, "review", upload(png_bytes((400, 400)) + zip_bytes(), "poly.png", "image/png"))

    assert response.status_code == 400
    assert response.json()["code"] == "FILE_CONTENT_REJECTED"


def test_script_inside_jpeg_comment_refused(auth_client):
    content = jpeg_bytes((400, 400), comment=b"<script>alert(1)</script>")

    response = post_files(auth_client, "review", upload(content, "comment.jpg"))

    assert error(response) == (
        400,
        "FILE_CONTENT_REJECTED",
        {"files": ["comment.jpg: The file contains HTML, script or archive content and was refused."]},
    )


def test_truncated_jpeg_refused(auth_client):
    content = jpeg_bytes((400, 400))

    response = post_files(auth_client, "review", upload(content[: len(content) // 2], "cut.jpg"))

    assert error(response) == (400, "IMAGE_INVALID", {"files": ["cut.jpg: The image file is damaged or incomplete."]})


def test_jpeg_header_with_garbage_refused(auth_client):
    response = post_files(auth_client, "review", upload(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "junk.jpg"))

    assert response.status_code == 400
    assert response.json()["code"] == "IMAGE_INVALID"


def test_corrupt_png_pixels_refused(auth_client):
    content = bytearray(png_bytes((400, 400)))
    idat = content.index(b"IDAT")
    content[idat + 10 : idat + 30] = bytes(20)  # damage the compressed pixels (CRC now wrong too)

    response = post_files(auth_client, "review", upload(bytes(content), "bad.png", "image/png"))

    assert response.status_code == 400
    assert response.json()["code"] == "IMAGE_INVALID"


def test_mp4_with_trailing_garbage_refused(auth_client):
    response = post_files(auth_client, "qa", upload(mp4_bytes() + b"PK\x03\x04zipzipzip", "clip.mp4", "video/mp4"))

    assert response.status_code == 400
    assert response.json()["code"] == "VIDEO_INVALID"


# --- Nothing left behind ------------------------------------------------------------------------


def test_one_bad_file_refuses_the_whole_batch(auth_client, user, stored_blobs):
    response = post_files(
        auth_client,
        "review",
        upload(jpeg_bytes((400, 400)), "good.jpg"),
        upload(jpeg_bytes((400, 400)) + zip_bytes(), "bad.jpg"),
    )

    assert response.status_code == 400
    assert UploadedFile.objects.count() == 0
    assert stored_blobs() == {"public": [], "private": []}
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (0, 0)


def test_storage_failure_midway_removes_written_blobs(auth_client, user, stored_blobs, monkeypatch):
    storage = storages["default"]
    real_save = storage.save
    calls = []

    def flaky_save(name, content, *args, **kwargs):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(name, content, *args, **kwargs)

    monkeypatch.setattr(storage, "save", flaky_save)

    response = post_files(auth_client, "review", upload(jpeg_bytes((400, 400))))

    assert response.status_code == 503
    assert response.json()["code"] == "FILE_STORAGE_UNAVAILABLE"
    assert len(calls) == 3
    assert stored_blobs() == {"public": [], "private": []}
    assert UploadedFile.objects.count() == 0


def test_database_failure_after_storing_removes_blobs_and_rows(auth_client, user, stored_blobs, monkeypatch):
    def broken_counters(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_add_to_counters", broken_counters)

    with pytest.raises(RuntimeError):
        services.file_upload(
            owner=user,
            context="review",
            uploads=[upload(jpeg_bytes((400, 400))), upload(jpeg_bytes((400, 400), color=(1, 1, 1)), "b.jpg")],
        )

    assert stored_blobs() == {"public": [], "private": []}
    assert UploadedFile.objects.count() == 0
