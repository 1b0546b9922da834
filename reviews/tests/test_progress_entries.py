"""Weekly entries: no date in the future, at most 5 photos (the seed's progress upload config)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.models import ProgressEntry, ProgressMedia
from shop.files.services import file_upload
from shop.files.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def start(client, product):
    return client.post(f"/api/v1/progress/start/{product.pk}", {}, format="json").json()["data"]["id"]


def week(client, journal_id, number, **extra):
    payload = {"journal_id": journal_id, "week_number": number, "overall_satisfaction": 3, "skin_improvement": 3}
    return client.post("/api/v1/progress/update", {**payload, **extra}, format="json")


@pytest.mark.parametrize("days_ahead", [1, 400])
def test_future_progress_date_is_refused(auth_client, product, days_ahead):
    journal_id = start(auth_client, product)
    future = timezone.localdate() + timedelta(days=days_ahead)

    response = week(auth_client, journal_id, 1, progress_date=future.isoformat())

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and list(body["errors"]) == ["progress_date"]
    assert ProgressEntry.objects.count() == 0


def test_today_and_past_dates_are_accepted(auth_client, product):
    journal_id = start(auth_client, product)
    today = timezone.localdate()
    assert week(auth_client, journal_id, 1, progress_date=(today - timedelta(days=7)).isoformat()).status_code == 201
    second = week(auth_client, journal_id, 2, progress_date=today.isoformat())
    assert second.status_code == 201 and second.json()["data"]["progress_date"] == today.isoformat()


def test_editing_an_entry_into_the_future_is_refused(auth_client, product):
    journal_id = start(auth_client, product)
    entry = week(auth_client, journal_id, 1).json()["data"]
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = auth_client.patch(
        f"/api/v1/progress/entries/{entry['id']}", {"progress_date": tomorrow.isoformat()}, format="json"
    )

    assert response.status_code == 400 and list(response.json()["errors"]) == ["progress_date"]
    assert ProgressEntry.objects.get(pk=entry["id"]).progress_date == timezone.localdate()


def test_an_entry_holds_at_most_five_photos(auth_client, user, product):
    journal_id = start(auth_client, product)
    entry_id = week(auth_client, journal_id, 1).json()["data"]["id"]
    photos = [
        file_upload(
            owner=user,
            context="progress",
            uploads=[SimpleUploadedFile("p.jpg", jpeg_bytes(color=(20 * n, 40, 60)), content_type="image/jpeg")],
            temporary=True,
        )[0]
        for n in range(6)
    ]
    url = f"/api/v1/progress/entries/{entry_id}/photo"

    six = auth_client.post(url, {"photos": [{"file_id": str(p.public_id)} for p in photos]}, format="json")
    assert six.status_code == 400 and list(six.json()["errors"]) == ["photos"]
    assert ProgressMedia.objects.count() == 0

    five = auth_client.post(url, {"photos": [{"file_id": str(p.public_id)} for p in photos[:5]]}, format="json")
    assert five.status_code == 201
    sixth = auth_client.post(url, {"photos": [{"file_id": str(photos[5].public_id)}]}, format="json")
    assert sixth.status_code == 400 and sixth.json()["code"] == "TOO_MANY_MEDIA"
    assert ProgressEntry.objects.get(pk=entry_id).photo_count == 5
