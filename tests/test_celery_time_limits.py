"""Time limits end a task as the failed-task list reports it (the real prefork worker run is
tools/celery_time_limit_drill.sh; docs/operations.md, "A stuck task")."""

import pytest
from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery import signals
from rest_framework.test import APIClient

from shop.accounts.tests.factories import StaffFactory
from skincare.models import FailedTask
from skincare.tasks import send_templated_email

pytestmark = pytest.mark.django_db


def fail(task_id, exception):
    signals.task_failure.send(sender=send_templated_email, task_id=task_id, exception=exception, args=(), kwargs={})


def admin_failures():
    client = APIClient()
    client.force_authenticate(StaffFactory())
    response = client.get("/api/v1/staff/tasks/failures")
    assert response.status_code == 200, response.json()
    return [(row["task_id"], row["exception_type"]) for row in response.json()["data"]]


def test_a_hard_time_limit_is_listed_once_though_celery_reports_it_twice():
    # What the worker sends for one task killed at its hard limit: Request.on_timeout, then the pool's
    # report of the killed job, both with TimeLimitExceeded.
    fail("killed-1", TimeLimitExceeded(8))
    fail("killed-1", TimeLimitExceeded(8))

    assert FailedTask.objects.filter(task_id="killed-1").count() == 1
    assert admin_failures() == [("killed-1", "TimeLimitExceeded")]


def test_other_failures_of_one_task_id_are_each_kept():
    # A soft limit, then the redelivered message failing otherwise: two runs, two rows.
    fail("twice", SoftTimeLimitExceeded())
    fail("twice", TimeLimitExceeded(8))
    fail("other", TimeLimitExceeded(8))

    assert sorted(admin_failures()) == [
        ("other", "TimeLimitExceeded"),
        ("twice", "SoftTimeLimitExceeded"),
        ("twice", "TimeLimitExceeded"),
    ]
