"""Scans whose task was lost (a worker died) are failed by the beat task as ``timeout``, uncounted."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from ml.skin_analysis import services, tasks
from ml.skin_analysis.models import SkinAnalysis
from ml.skin_analysis.tests.conftest import photo
from shop.subscriptions.models import QuotaKind
from shop.subscriptions.services import quota_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/skin-analysis"


@pytest.fixture
def lost_worker(monkeypatch):
    """Queued analysis tasks never run (the worker holding them died)."""
    queued = []
    monkeypatch.setattr(tasks.skin_analysis_run_task, "delay", lambda analysis_id: queued.append(analysis_id))
    return queued


def _upload(client, *, minutes_ago):
    analysis_id = client.post(URL, {"photo": photo()}, format="multipart").json()["data"]["id"]
    SkinAnalysis.objects.filter(pk=analysis_id).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return analysis_id


def test_the_beat_schedule_runs_the_task_every_ten_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["skin-analysis-fail-stuck"]
    assert (entry["task"], entry["schedule"]) == ("skin_analysis.fail_stuck", timedelta(minutes=10))
    assert tasks.skin_analyses_fail_stuck_task.name == "skin_analysis.fail_stuck"


@override_settings(SKIN_ANALYSIS_STUCK_MINUTES=20)
def test_scans_pending_past_the_limit_fail_as_timeout_and_are_not_counted(auth_client, user, lost_worker):
    stuck = _upload(auth_client, minutes_ago=25)
    recent = _upload(auth_client, minutes_ago=15)
    assert lost_worker == [stuck, recent]

    result = tasks.skin_analyses_fail_stuck_task.apply()

    assert result.get() == 1
    rows = dict(SkinAnalysis.objects.values_list("pk", "status"))
    assert rows == {stuck: "failed", recent: "pending"}
    body = auth_client.get(f"{URL}/{stuck}").json()["data"]
    assert (body["status"], body["failure_code"]) == ("failed", "timeout")
    assert body["failure_reason"] == "The analysis did not finish in time. Please take the photo again."
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 0
    assert tasks.skin_analyses_fail_stuck_task.apply().get() == 0  # nothing left to fail


def test_a_late_delivery_of_a_timed_out_scan_changes_nothing(auth_client, user, lost_worker):
    stuck = _upload(auth_client, minutes_ago=settings.SKIN_ANALYSIS_STUCK_MINUTES + 1)
    assert tasks.skin_analyses_fail_stuck_task.apply().get() == 1

    analysis = services.skin_analysis_run(analysis_id=stuck)  # the lost message turns up after all

    assert (analysis.status, analysis.failure_code, analysis.overall_score) == ("failed", "timeout", None)
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 0


def test_finished_and_failed_scans_are_left_alone(auth_client, user):
    done = auth_client.post(URL, {"photo": photo()}, format="multipart").json()["data"]["id"]
    SkinAnalysis.objects.filter(pk=done).update(created_at=timezone.now() - timedelta(days=2))

    assert tasks.skin_analyses_fail_stuck_task.apply().get() == 0

    assert SkinAnalysis.objects.get(pk=done).status == "done"
    assert quota_status(user=user, kind=QuotaKind.SKIN_SCAN).used == 1
