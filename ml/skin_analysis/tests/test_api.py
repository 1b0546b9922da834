"""The skin analysis API as a mobile app meets it: upload, poll, history, compare, trend, delete."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ml.skin_analysis.models import METRICS, SkinAnalysis
from ml.skin_analysis.synthetic import Face
from ml.skin_analysis.tests.conftest import photo, plain_jpeg
from shop.catalog.tests.factories import ProductFactory
from shop.files.models import FileStatus, UploadedFile

pytestmark = pytest.mark.django_db

URL = "/api/v1/skin-analysis"


def done_analysis(user, created_at=None, **scores):
    analysis = SkinAnalysis.objects.create(
        user=user,
        status="done",
        overall_score=scores.pop("overall_score", 80),
        **(dict.fromkeys(METRICS, 80) | scores),
        acne_severity="none",
        completed_at=timezone.now(),
    )
    if created_at:
        SkinAnalysis.objects.filter(pk=analysis.pk).update(created_at=created_at)
        analysis.refresh_from_db()
    return analysis


def test_a_photo_is_analysed_and_answered_with_its_scores(auth_client, user):
    spotted = ProductFactory(name="Blemish gel", concerns=["acne"], skin_types=["all"])
    ProductFactory(name="Unrelated", concerns=["aging"])

    response = auth_client.post(URL, {"photo": photo(Face(size=400, blemishes=30))}, format="multipart")

    assert response.status_code == 201
    data = response.json()["data"]
    analysis = SkinAnalysis.objects.get(user=user)
    assert data["id"] == analysis.pk
    assert data["status"] == "done"
    assert data["failure_code"] is None
    assert data["analyzer"] == "builtin-v1"
    assert data["metrics"] == analysis.metrics
    assert data["overall_score"] == round(sum(analysis.metrics.values()) / 10)
    assert data["metrics"]["blemishes"] < 40
    assert data["acne_severity"] in ("moderate", "severe")
    assert data["concerns"][0]["concern"] == "acne"
    assert "salicylic acid" in data["recommended_ingredients"]
    assert "coconut oil" in data["avoid_ingredients"]
    assert [p["name"] for p in data["products"]] == ["Blemish gel"]
    assert data["products"][0]["id"] == spotted.pk
    assert data["feedback_source"] == "template"
    assert f"Your overall skin score is {data['overall_score']} of 100." in data["feedback"]
    assert "not medical advice" in data["feedback"]
    # The photo is private: its URL is the permission-checked content endpoint.
    file = UploadedFile.objects.get(pk=analysis.photo_id)
    assert file.context == "skin"
    assert file.is_public is False
    assert file.is_temporary is False
    assert (file.related_entity_type, file.related_entity_id) == ("skin_analysis", analysis.pk)
    assert data["photo"]["url"] == f"http://testserver/api/v1/files/{file.public_id}/content"
    assert auth_client.get(data["photo"]["url"]).status_code == 200


def test_a_dark_photo_ends_failed_with_the_reason(auth_client, user):
    response = auth_client.post(URL, {"photo": photo(Face(size=400, brightness=0.25))}, format="multipart")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "failed"
    assert data["failure_code"] == "too_dark"
    assert data["failure_reason"] == "The photo is too dark. Face a window or a lamp and try again."
    assert data["overall_score"] is None
    assert data["metrics"] == dict.fromkeys(METRICS)
    assert SkinAnalysis.objects.filter(user=user, status="failed").count() == 1


def test_a_photo_without_a_face_fails_as_no_face(auth_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = auth_client.post(
        URL, {"photo": SimpleUploadedFile("wall.jpg", plain_jpeg(), content_type="image/jpeg")}, format="multipart"
    )

    assert response.json()["data"]["failure_code"] == "no_face"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_created(auth_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = auth_client.post(
        URL,
        {"photo": SimpleUploadedFile("face.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "FILE_TYPE_NOT_ALLOWED"
    assert SkinAnalysis.objects.count() == 0
    assert UploadedFile.objects.count() == 0


def test_a_missing_photo_is_a_validation_error(auth_client):
    response = auth_client.post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert list(response.json()["errors"]) == ["photo"]


def test_anonymous_requests_are_refused(api_client):
    assert api_client.get(URL).json()["code"] == "NOT_AUTHENTICATED"
    assert api_client.post(URL, {}, format="multipart").status_code == 401


def test_another_users_analysis_and_photo_answer_404(auth_client, user, other_user):
    auth_client.post(URL, {"photo": photo()}, format="multipart")
    analysis = SkinAnalysis.objects.get(user=user)
    intruder = APIClient()
    intruder.force_authenticate(other_user)

    assert intruder.get(f"{URL}/{analysis.pk}").status_code == 404
    assert intruder.get(f"{URL}/{analysis.pk}").json()["code"] == "SKIN_ANALYSIS_NOT_FOUND"
    assert intruder.delete(f"{URL}/{analysis.pk}").status_code == 404
    assert intruder.get(f"/api/v1/files/{analysis.photo.public_id}/content").status_code == 404
    assert intruder.get(f"{URL}/compare?from={analysis.pk}&to={analysis.pk}").status_code == 404
    assert intruder.get(URL).json()["data"] == []
    assert SkinAnalysis.objects.filter(pk=analysis.pk).exists()


def test_staff_can_see_the_private_photo(auth_client, user, staff_client):
    auth_client.post(URL, {"photo": photo()}, format="multipart")
    analysis = SkinAnalysis.objects.get(user=user)

    assert staff_client.get(f"/api/v1/files/{analysis.photo.public_id}/content").status_code == 200


def test_history_is_paginated_newest_first_in_constant_queries(auth_client, user, django_assert_num_queries):
    now = timezone.now()
    product = ProductFactory(concerns=["redness"])
    for days in (3, 2, 1):
        analysis = done_analysis(user, created_at=now - timedelta(days=days), redness=60 - days)
        SkinAnalysis.objects.filter(pk=analysis.pk).update(product_ids=[product.pk])
    SkinAnalysis.objects.create(user=user, status="pending")

    with django_assert_num_queries(4):  # count, page, the products of the whole page, their media
        response = auth_client.get(URL, {"per_page": 3})

    body = response.json()
    assert body["meta"] == {"page": 1, "per_page": 3, "total": 4, "total_pages": 2}
    assert [row["status"] for row in body["data"]] == ["pending", "done", "done"]
    assert [row["metrics"]["redness"] for row in body["data"][1:]] == [59, 58]
    assert [p["id"] for p in body["data"][1]["products"]] == [product.pk]


def test_compare_gives_metric_deltas_later_minus_earlier(auth_client, user):
    now = timezone.now()
    first = done_analysis(user, created_at=now - timedelta(days=28), overall_score=60, redness=40, blemishes=50)
    second = done_analysis(user, created_at=now, overall_score=71, redness=70, blemishes=45)

    response = auth_client.get(f"{URL}/compare", {"from": first.pk, "to": second.pk})

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["overall_delta"] == 11
    assert data["deltas"] == dict.fromkeys(METRICS, 0) | {"redness": 30, "blemishes": -5}
    assert data["days_between"] == 28
    assert (data["from"]["id"], data["to"]["id"]) == (first.pk, second.pk)


def test_compare_refuses_unfinished_analyses_and_bad_ids(auth_client, user):
    done = done_analysis(user)
    failed = SkinAnalysis.objects.create(user=user, status="failed", failure_code="blurred")

    refused = auth_client.get(f"{URL}/compare", {"from": done.pk, "to": failed.pk})
    missing = auth_client.get(f"{URL}/compare", {"from": done.pk, "to": 999999})
    malformed = auth_client.get(f"{URL}/compare", {"from": "x"})

    assert (refused.status_code, refused.json()["code"]) == (409, "SKIN_ANALYSIS_NOT_DONE")
    assert refused.json()["errors"] == {"to": ["This analysis has no scores."]}
    assert (missing.status_code, missing.json()["errors"]) == (404, {"to": ["Skin analysis not found."]})
    assert malformed.status_code == 400
    assert set(malformed.json()["errors"]) == {"from", "to"}


def test_trend_lists_finished_analyses_oldest_first_with_acne_severity(auth_client, user):
    now = timezone.now()
    late = done_analysis(user, created_at=now, blemishes=85)
    early = done_analysis(user, created_at=now - timedelta(days=14), blemishes=40)
    SkinAnalysis.objects.filter(pk=early.pk).update(acne_severity="moderate")
    SkinAnalysis.objects.create(user=user, status="failed", failure_code="too_dark")

    data = auth_client.get(f"{URL}/trend").json()["data"]

    assert [(row["id"], row["metrics"]["blemishes"], row["acne_severity"]) for row in data] == [
        (early.pk, 40, "moderate"),
        (late.pk, 85, "none"),
    ]


def test_deleting_an_analysis_deletes_its_photo(auth_client, user):
    auth_client.post(URL, {"photo": photo()}, format="multipart")
    analysis = SkinAnalysis.objects.get(user=user)

    response = auth_client.delete(f"{URL}/{analysis.pk}")

    assert response.status_code == 204
    assert not SkinAnalysis.objects.exists()
    assert UploadedFile.objects.get(pk=analysis.photo_id).status == FileStatus.DELETED


def test_the_same_photo_twice_gives_the_same_scores(auth_client, user):
    first = auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]
    second = auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]

    assert second["id"] != first["id"]
    assert second["metrics"] == first["metrics"]
    assert second["photo"]["id"] == first["photo"]["id"]  # the file registry stores the bytes once
    assert "That is the same as in your scan of" in second["feedback"]
