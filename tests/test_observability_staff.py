"""Failed tasks for staff (API and admin) and the signed-in user's id in request logs."""

import io
import json
import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from shop.accounts.tests.factories import ModeratorFactory, StaffFactory, UserFactory
from skincare.models import FailedTask
from skincare.observability.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db

FAILURES = "/api/v1/staff/tasks/failures"


def _jwt_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def _failure(**fields):
    defaults = {
        "task_id": "t-1",
        "task_name": "ml.etl_daily_metrics",
        "args": "[]",
        "kwargs": "{}",
        "exception_type": "SoftTimeLimitExceeded",
        "exception_message": "SoftTimeLimitExceeded()",
        "traceback": "Traceback ...",
        "retries": 3,
        "request_id": "",
    }
    return FailedTask.objects.create(**{**defaults, **fields})


def test_a_task_failing_in_a_request_is_listed_for_an_admin_with_the_request_id():
    from skincare.celery import app

    @app.task(name="obs_tests.staff_visible_failure")
    def fails(order_number):
        raise LookupError(f"order {order_number} vanished")

    client = _jwt_client(StaffFactory())
    # The task runs (eagerly) inside a request to a real view: the failure keeps that request's id.
    from skincare.observability.context import LogContext, bind, unbind

    token = bind(LogContext(request_id="req-staff-1"))
    try:
        fails.apply(args=["SK-1001"], throw=False)
    finally:
        unbind(token)

    response = client.get(FAILURES, {"task_name": "obs_tests.staff_visible_failure"})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["total"] == 1
    row = body["data"][0]
    assert row["task_name"] == "obs_tests.staff_visible_failure"
    assert row["exception_type"] == "LookupError"
    assert row["exception_message"] == "order SK-1001 vanished"
    assert row["args"] == "['SK-1001']"
    assert row["request_id"] == "req-staff-1"
    assert row["failed_at"].endswith("Z")


def test_failures_are_newest_first_and_filtered(django_assert_num_queries):
    older = _failure(task_id="a", task_name="ml.sentiment_train")
    newer = _failure(task_id="b", task_name="ml.predictions_train", request_id="req-9")
    client = _jwt_client(StaffFactory())

    everything = client.get(FAILURES).json()
    assert [row["task_id"] for row in everything["data"]] == [newer.task_id, older.task_id]
    assert [row["task_id"] for row in client.get(FAILURES, {"request_id": "req-9"}).json()["data"]] == ["b"]
    assert client.get(FAILURES, {"task_name": "ml.sentiment_train"}).json()["meta"]["total"] == 1

    # Its permissions and its group's, the count, the page, whatever the page size (the JWT user's
    # row comes from the cache: shop.accounts.authentication).
    with django_assert_num_queries(4):
        client.get(FAILURES)
    for number in range(30):
        _failure(task_id=f"bulk-{number}")
    with django_assert_num_queries(4):
        page = client.get(FAILURES, {"per_page": 25}).json()
    assert len(page["data"]) == 25 and page["meta"]["total"] == 32


@pytest.mark.parametrize(
    ("make_user", "status"),
    [(ModeratorFactory, 403), (UserFactory, 403), (None, 401)],
    ids=["moderator", "customer", "anonymous"],
)
def test_failures_are_for_admins_only(make_user, status):
    _failure(kwargs="{'email': 'customer@example.com'}")
    client = _jwt_client(make_user()) if make_user else APIClient()
    response = client.get(FAILURES)
    assert response.status_code == status
    assert "customer@example.com" not in response.content.decode()


def test_admin_lists_failed_tasks_read_only_and_moderators_cannot_see_them():
    row = _failure(exception_message="broker went away")
    admin_client = Client()
    admin_client.force_login(StaffFactory())
    page = admin_client.get("/admin/skincare/failedtask/")
    assert page.status_code == 200
    assert "broker went away" in page.content.decode()
    change = admin_client.get(f"/admin/skincare/failedtask/{row.pk}/change/")
    assert change.status_code == 200
    assert 'name="exception_message"' not in change.content.decode()  # read-only
    assert admin_client.get("/admin/skincare/failedtask/add/").status_code == 403

    moderator_client = Client()
    moderator_client.force_login(ModeratorFactory())
    assert moderator_client.get("/admin/skincare/failedtask/").status_code == 403


def test_request_log_lines_carry_the_user_id_of_a_jwt_request():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("skincare.request")
    logger.addHandler(handler)
    try:
        user = UserFactory()
        response = _jwt_client(user).get("/api/v1/auth/me", HTTP_X_REQUEST_ID="req-user-1")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-user-1"
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert (line["request_id"], line["user_id"], line["route"], line["status"]) == (
        "req-user-1",
        user.pk,
        "auth-me",
        200,
    )
