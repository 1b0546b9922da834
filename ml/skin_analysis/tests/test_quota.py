"""The plan's monthly scan limit on the skin analysis API, and finished scans announced to goals."""

import pytest
from django.test import override_settings

from ml.goals.models import UserAchievement
from ml.skin_analysis import services
from ml.skin_analysis.models import SkinAnalysis
from ml.skin_analysis.synthetic import Face
from ml.skin_analysis.tests.conftest import photo
from shop.files.models import UploadedFile
from shop.subscriptions.models import QuotaKind
from shop.subscriptions.services import quota_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/skin-analysis"


@override_settings(SUBSCRIPTION_FREE_MONTHLY_SCANS=2)
def test_finished_scans_count_and_the_limit_refuses_before_any_upload(auth_client, user):
    for _ in range(2):
        assert auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]["status"] == "done"
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 2
    files_before = UploadedFile.objects.count()

    response = auth_client.post(URL, {"photo": photo()}, format="multipart")

    assert response.status_code == 429
    assert response.json()["code"] == "QUOTA_EXCEEDED"
    assert SkinAnalysis.objects.filter(user=user).count() == 2
    assert UploadedFile.objects.count() == files_before


@override_settings(SUBSCRIPTION_FREE_MONTHLY_SCANS=1)
def test_a_failed_scan_is_not_counted(auth_client, user):
    dark = auth_client.post(URL, {"photo": photo(Face(size=400, brightness=0.25))}, format="multipart")
    assert dark.json()["data"]["status"] == "failed"
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 0

    assert auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]["status"] == "done"
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 1


@override_settings(SUBSCRIPTION_FREE_MONTHLY_SCANS=1)
def test_a_scan_that_finishes_after_a_parallel_one_took_the_last_use_fails_uncounted(user):
    analysis = services.skin_analysis_start(user=user, upload=photo())  # eager: finished and counted
    assert SkinAnalysis.objects.get(pk=analysis.pk).status == "done"
    # A second scan passed the check before the first one was counted, and finishes now.
    pending = SkinAnalysis.objects.create(user=user, photo=analysis.photo)

    services.skin_analysis_run(analysis_id=pending.pk)

    pending.refresh_from_db()
    assert (pending.status, pending.failure_code) == ("failed", "quota_exceeded")
    assert pending.overall_score is None
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 1


def test_a_finished_scan_unlocks_the_first_analysis_achievement_once(auth_client, user):
    auth_client.post(URL, {"photo": photo()}, format="multipart")
    auth_client.post(URL, {"photo": photo()}, format="multipart")

    unlocked = UserAchievement.objects.filter(user=user).values_list("achievement__key", flat=True)
    assert list(unlocked) == ["first-analysis"]
