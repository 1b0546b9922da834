"""Profile picture page: the files service's content checks, the previous picture deleted, remove."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.files.models import UploadedFile
from shop.files.tests.factories import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def picture(color=(10, 120, 200), size=(320, 320)):
    return SimpleUploadedFile("me.jpg", jpeg_bytes(size=size, color=color), content_type="image/jpeg")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/picture/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_upload_replace_and_remove_the_picture(shopper_client, shopper):
    assert "You have no profile picture yet." in shopper_client.get("/account/picture/").content.decode()

    response = shopper_client.post("/account/picture/", {"picture": picture()})
    shopper.refresh_from_db()
    first = shopper.profile_picture
    assert response.status_code == 302 and response["Location"] == "/account/picture/"
    assert (first.context, first.related_entity_type, first.status) == ("profile", "user", "active")
    page = shopper_client.get("/account/picture/").content.decode()
    assert "Your profile picture is saved." in page and 'alt="Your profile picture"' in page

    shopper_client.post("/account/picture/", {"picture": picture(color=(200, 30, 30))})
    shopper.refresh_from_db()
    first.refresh_from_db()
    assert shopper.profile_picture_id != first.pk and first.status == "deleted"

    response = shopper_client.post("/account/picture/", {"remove": "1"})
    shopper.refresh_from_db()
    assert response.status_code == 302 and shopper.profile_picture is None
    assert list(UploadedFile.objects.values_list("status", flat=True)) == ["deleted", "deleted"]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(shopper_client, shopper):
    fake = SimpleUploadedFile("me.png", b"GIF89a" + b"\x00" * 500, content_type="image/png")

    response = shopper_client.post("/account/picture/", {"picture": fake})

    assert response.status_code == 400
    assert 'id="picture-error"' in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.profile_picture is None and UploadedFile.objects.count() == 0


def test_too_small_picture_and_missing_file_are_400(shopper_client, shopper):
    tiny = SimpleUploadedFile("me.png", png_bytes(size=(40, 40)), content_type="image/png")

    assert shopper_client.post("/account/picture/", {"picture": tiny}).status_code == 400
    response = shopper_client.post("/account/picture/", {})
    assert response.status_code == 400 and "Choose a picture to upload." in response.content.decode()
    assert UploadedFile.objects.count() == 0


def test_the_api_upload_rate_applies(shopper_client, shopper, throttle_rates):
    throttle_rates(upload="1/hour")
    assert shopper_client.post("/account/picture/", {"picture": picture()}).status_code == 302

    response = shopper_client.post("/account/picture/", {"picture": picture(color=(1, 2, 3))})

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert UploadedFile.objects.count() == 1
