"""Request ids in responses and logs, /metrics, Celery context and failures, heartbeats in /health/ready."""

import io
import json
import logging
import re
import smtplib
import socket
import time
import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from skincare.celery import django_fixup
from skincare.models import FailedTask
from skincare.observability import celery_hooks, metrics
from skincare.observability.context import LogContext, bind, unbind
from skincare.observability.logs import ContextFilter, JsonFormatter
from skincare.tests.servers import silent_tcp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The JSON lines the project's handler set-up writes, parsed (root logger, INFO)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def sample(text, name, **labels):
    """The value of one series in Prometheus text output (0.0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        series, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == str(v) for k, v in labels.items()):
            return float(value)
    return 0.0


def scrape(client, settings):
    settings.METRICS_TOKEN = "scrape-token-for-tests"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests")
    assert response.status_code == 200
    return response.content.decode()


# --- request id -------------------------------------------------------------------------------


def test_request_id_is_generated_and_returned(client: Client):
    first = client.get("/health")["X-Request-ID"]
    second = client.get("/health")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_safe_client_request_id_is_kept(client: Client):
    response = client.get("/health", HTTP_X_REQUEST_ID="lb-7f3a.2026:01_ab-9")
    assert response["X-Request-ID"] == "lb-7f3a.2026:01_ab-9"


@pytest.mark.parametrize("bad", ["x" * 129, "has space", "new\nline", "<script>", "ünïcode", ""])
def test_an_unsafe_or_overlong_request_id_is_replaced(client: Client, bad):
    response = client.get("/health", HTTP_X_REQUEST_ID=bad)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_log_line_of_a_request_carries_its_id_and_route(client: Client, json_log):
    response = client.get("/api/v1/products/does-not-exist", HTTP_X_REQUEST_ID="req-abc-1")
    assert response.status_code == 404

    lines = [line for line in json_log() if line.get("request_id") == "req-abc-1"]
    access = [line for line in lines if line["logger"] == "skincare.request"]
    assert len(access) == 1
    assert access[0]["route"] == access[0]["message"].split(" ")[1] != "<unmatched>"
    assert access[0]["status"] == 404
    assert access[0]["method"] == "GET"
    assert isinstance(access[0]["db_queries"], int)
    assert access[0]["time"].endswith("Z")
    assert "user_id" not in access[0]  # anonymous
    # Nothing logged after the request keeps its id.
    logging.getLogger("after").warning("outside")
    assert "request_id" not in json_log()[-1]


def test_logging_never_loads_a_user_nothing_else_needed():
    from django.http import HttpRequest
    from django.utils.functional import SimpleLazyObject

    from skincare.observability.context import known_user_id

    loads = []
    request = HttpRequest()
    request.user = SimpleLazyObject(lambda: loads.append(1))
    assert known_user_id(request) is None
    assert loads == []  # the session and user were not read just to log


def test_the_access_line_can_be_switched_off(settings, json_log):
    settings.LOG_REQUESTS = False
    response = Client().get("/health", HTTP_X_REQUEST_ID="req-quiet")
    assert response["X-Request-ID"] == "req-quiet"
    assert [line for line in json_log() if line["logger"] == "skincare.request"] == []


def test_json_lines_keep_plain_extras_and_drop_structures():
    record = logging.makeLogRecord(
        {"name": "celery.app.trace", "msg": "Task %s succeeded", "args": ("x",), "levelname": "INFO",
         "route": None, "request_id": None, "user_id": None, "task_id": None, "task_name": None,
         "data": {"kwargs": "{'email': 'shopper@example.com'}"}, "attempt": 2}
    )  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Task x succeeded" and line["attempt"] == 2
    assert "data" not in line and "shopper@example.com" not in json.dumps(line)


def test_an_unmatched_path_is_one_route(client: Client, json_log):
    client.get("/no/such/page/here", HTTP_X_REQUEST_ID="req-unmatched")
    access = [line for line in json_log() if line.get("request_id") == "req-unmatched"]
    assert access[-1]["route"] == "<unmatched>"
    client.get("/static/no-such-file.css", HTTP_X_REQUEST_ID="req-static")
    access = [line for line in json_log() if line.get("request_id") == "req-static"]
    assert access[-1]["route"] == "<static>"


# --- Celery: the request id travels to the worker -----------------------------------------------

worker_app = Celery(
    "observability-tests",
    broker="memory://",
    backend="cache+memory://",
    set_as_current=False,
    fixups=[django_fixup],  # the project's worker, database connections included
)
worker_app.conf.update(
    task_always_eager=False, worker_hijack_root_logger=False, broker_connection_retry_on_startup=True
)
task_logger = logging.getLogger("skincare.tests.task")


@worker_app.task(name="obs_tests.log_something")
def log_something(word):
    task_logger.info("task says %s", word)
    return word


@worker_app.task(name="obs_tests.explode")
def explode(number):
    raise ValueError(f"bad number {number}")


@worker_app.task(name="obs_tests.database_backend")
def database_backend(close=False):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    if close:  # the test's last task: no connection left open on the test database
        connection.close()
    return pid


@pytest.fixture
def worker():
    from celery import _state

    current, default = _state.get_current_app(), _state.default_app
    try:
        with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        # start_worker makes its app the current and default one; the project's tasks must not follow it.
        current.set_current()
        _state.set_default_app(default)


@pytest.mark.django_db(transaction=True)
def test_request_id_and_user_reach_the_task_log_in_the_worker(worker, json_log):
    token = bind(LogContext(request_id="req-task-42", user_id=7))
    try:
        result = log_something.delay("hello")
    finally:
        unbind(token)
    assert result.get(timeout=20) == "hello"

    task_line = next(line for line in json_log() if line["message"] == "task says hello")
    assert task_line["request_id"] == "req-task-42"
    assert task_line["user_id"] == 7
    assert task_line["task_name"] == "obs_tests.log_something"
    assert task_line["task_id"] == result.id


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_in_the_worker_is_recorded(worker):
    token = bind(LogContext(request_id="req-fail-1"))
    try:
        result = explode.delay(13)
    finally:
        unbind(token)
    with pytest.raises(ValueError):
        result.get(timeout=20)

    # Celery stores the failed result before it sends task_failure: wait for the row.
    def recorded():
        try:
            return FailedTask.objects.filter(task_id=result.id).exists()
        except OperationalError:  # SQLite's shared in-memory database: the worker's write holds the table
            return False

    deadline = time.monotonic() + 20
    while not recorded() and time.monotonic() < deadline:
        time.sleep(0.1)
    row = FailedTask.objects.get(task_id=result.id)
    assert row.task_name == "obs_tests.explode"
    assert row.exception_type == "ValueError"
    assert row.exception_message == "bad number 13"
    assert row.args == "[13]"
    assert row.request_id == "req-fail-1"
    assert "raise ValueError" in row.traceback


@pytest.mark.skipif(connection.vendor != "postgresql", reason="asks PostgreSQL which backend serves the task")
@pytest.mark.parametrize(("max_age", "kept"), [(60, True), (0, False)])
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks_as_db_conn_max_age_says(
    worker, monkeypatch, max_age, kept
):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", max_age)  # DB_CONN_MAX_AGE
    database_backend.delay(close=True).get(timeout=20)  # a new connection from here on

    first = database_backend.delay().get(timeout=20)
    second = database_backend.delay(close=True).get(timeout=20)

    assert (first == second) is kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ends the worker's PostgreSQL backend")
@pytest.mark.django_db(transaction=True)
def test_a_worker_replaces_a_kept_connection_that_died_between_tasks(worker, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # DB_CONN_MAX_AGE
    database_backend.delay(close=True).get(timeout=20)
    first = database_backend.delay().get(timeout=20)
    with connection.cursor() as cursor:  # as a database restart would
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])

    second = database_backend.delay(close=True).get(timeout=20)

    assert second != first


def test_an_eager_task_logs_with_the_request_context(json_log, settings):
    from skincare.celery import app

    @app.task(name="obs_tests.eager_log")
    def eager_log():
        task_logger.info("eager task ran")

    token = bind(LogContext(request_id="req-eager-1", route="some-route"))
    try:
        eager_log.apply()
    finally:
        unbind(token)
    line = next(line for line in json_log() if line["message"] == "eager task ran")
    assert (line["request_id"], line["task_name"]) == ("req-eager-1", "obs_tests.eager_log")
    assert line["route"] == "some-route"


# --- /metrics ----------------------------------------------------------------------------------


def test_metrics_are_refused_without_the_token_or_an_allowed_address(client: Client, settings):
    settings.METRICS_TOKEN = "right-token"
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="right-token").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404  # no token set: never


def test_metrics_allowed_by_address(client: Client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.5").status_code == 404
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_are_not_in_the_api_schema(client: Client):
    schema = client.get("/api/schema/?format=json").json()
    assert not [path for path in schema["paths"] if "metrics" in path]


def test_request_series_by_route_and_status(client: Client, settings):
    before = scrape(client, settings)
    client.get("/health")
    client.get("/health")
    client.get("/api/v1/products/does-not-exist")
    after = scrape(client, settings)

    def delta(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("http_requests_total", route="health", method="GET", status="200") == 2
    assert delta("http_request_duration_seconds_count", route="health", method="GET") == 2
    assert delta("http_request_duration_seconds_bucket", route="health", method="GET", le="+Inf") == 2
    assert delta("http_request_db_queries_count", route="health") == 2
    # The health probe runs no query; the readiness probe runs at least one.
    assert delta("http_request_db_queries_bucket", route="health", le="0.0") == 2
    not_found = [row for row in after.splitlines() if row.startswith("http_requests_total{") and 'status="404"' in row]
    assert not_found and "does-not-exist" not in "".join(not_found)  # the route name, never the raw path


def test_database_query_series(client: Client, settings, json_log):
    before = scrape(client, settings)
    client.get("/health/ready", HTTP_X_REQUEST_ID="req-ready-queries")
    access = [line for line in json_log() if line.get("request_id") == "req-ready-queries"]
    assert access[-1]["db_queries"] == 2  # SELECT 1 for the database, again for the relational analytics store
    after = scrape(client, settings)
    vendor = __import__("django.db").db.connection.vendor
    assert sample(after, "db_queries_total", alias="default", vendor=vendor) > sample(
        before, "db_queries_total", alias="default", vendor=vendor
    )
    assert sample(after, "http_request_db_queries_count", route="health-ready") == (
        sample(before, "http_request_db_queries_count", route="health-ready") + 1
    )


def test_cache_hits_and_misses(client: Client, settings):
    before = scrape(client, settings)
    key = f"obs-test-{uuid.uuid4().hex}"
    assert cache.get(key) is None
    cache.set(key, 0)
    assert cache.get(key) == 0  # a falsy value is still a hit
    assert cache.get_many([key, key + "-absent"]) == {key: 0}
    after = scrape(client, settings)
    assert (
        sample(after, "cache_gets_total", cache="default", result="hit")
        - sample(before, "cache_gets_total", cache="default", result="hit")
        == 2
    )
    assert (
        sample(after, "cache_gets_total", cache="default", result="miss")
        - sample(before, "cache_gets_total", cache="default", result="miss")
        >= 2
    )  # the scrape itself may read the cache too


def test_celery_task_outcomes_and_durations(client: Client, settings):
    from skincare.celery import app

    @app.task(name="obs_tests.metric_ok")
    def metric_ok():
        return 1

    @app.task(name="obs_tests.metric_fail")
    def metric_fail():
        raise RuntimeError("no")

    before = scrape(client, settings)
    metric_ok.apply()
    metric_ok.apply()
    metric_fail.apply(throw=False)
    after = scrape(client, settings)

    def delta(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("celery_tasks_total", task="obs_tests.metric_ok", outcome="succeeded") == 2
    assert delta("celery_tasks_total", task="obs_tests.metric_fail", outcome="failed") == 1
    assert delta("celery_task_duration_seconds_count", task="obs_tests.metric_ok") == 2
    assert FailedTask.objects.filter(task_name="obs_tests.metric_fail", exception_type="RuntimeError").count() == 1


def _rabbitmq_url():
    url = "amqp://guest:guest@127.0.0.1:5672//"
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=0.5).close()
    except OSError:
        return None
    return url


@pytest.mark.skipif(_rabbitmq_url() is None, reason="needs RabbitMQ on 127.0.0.1:5672")
def test_queue_length_is_read_from_the_broker(client: Client, settings, monkeypatch):
    from kombu import Connection

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = _rabbitmq_url()
    queue = f"obs-test-{uuid.uuid4().hex}"
    with Connection(settings.CELERY_BROKER_URL) as connection:
        channel = connection.channel()
        channel.queue_declare(queue=queue, auto_delete=False)
        try:
            producer = connection.Producer(channel)
            for number in range(3):
                producer.publish({"n": number}, routing_key=queue)
            monkeypatch.setattr(metrics, "celery_queue_names", lambda: [queue, queue + "-never-declared"])

            text = scrape(client, settings)
        finally:
            channel.queue_delete(queue)
    assert sample(text, "celery_queue_length", queue=queue) == 3
    assert sample(text, "celery_queue_length", queue=queue + "-never-declared") == 0
    assert f'celery_queue_length{{queue="{queue}-never-declared"}} 0.0' in text


def test_a_down_broker_does_not_break_the_scrape(client: Client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    text = scrape(client, settings)
    assert "http_requests_total" in text
    assert "celery_queue_length{" not in text


# --- /health/ready heartbeats ------------------------------------------------------------------


def test_ready_in_eager_mode_reports_heartbeats_not_applicable(client: Client):
    body = client.get("/health/ready").json()
    assert body["status"] == "ok"
    assert body["heartbeats"] == {"worker": {"status": "not_applicable"}, "beat": {"status": "not_applicable"}}


@pytest.fixture
def with_broker(settings):
    """Non-eager configuration whose broker check passes (the check itself is stubbed: the heartbeats are the point)."""
    from skincare import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    settings.HEALTH_HEARTBEAT_MAX_AGE = 120
    original = health.CHECKS["broker"]
    health.CHECKS["broker"] = lambda: {"backend": "broker"}
    yield
    health.CHECKS["broker"] = original


def test_ready_with_fresh_heartbeats_is_ok(client: Client, with_broker):
    cache.set(celery_hooks.WORKER_HEARTBEAT_KEY, time.time() - 5)
    cache.set(celery_hooks.BEAT_HEARTBEAT_KEY, time.time() - 10)
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["heartbeats"]["worker"]["status"] == "ok"
    assert 4 <= body["heartbeats"]["worker"]["age_seconds"] <= 60
    assert body["heartbeats"]["beat"]["last_seen"].endswith("Z")


def test_ready_with_a_stale_worker_heartbeat_is_degraded_not_failed(client: Client, with_broker):
    cache.set(celery_hooks.WORKER_HEARTBEAT_KEY, time.time() - 600)
    cache.set(celery_hooks.BEAT_HEARTBEAT_KEY, time.time() - 5)
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["heartbeats"]["worker"]["status"] == "stale"
    assert body["heartbeats"]["worker"]["age_seconds"] >= 600
    assert body["heartbeats"]["beat"]["status"] == "ok"


def test_ready_with_no_heartbeat_ever_is_degraded(client: Client, with_broker):
    body = client.get("/health/ready").json()
    assert body["status"] == "degraded"
    assert body["heartbeats"]["beat"] == {"status": "stale", "last_seen": None, "age_seconds": None}


def test_a_required_service_down_still_fails_ready(client: Client, with_broker, settings):
    cache.set(celery_hooks.WORKER_HEARTBEAT_KEY, time.time())
    cache.set(celery_hooks.BEAT_HEARTBEAT_KEY, time.time())
    settings.MONGODB_URL = "mongodb://127.0.0.1:1/"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_the_heartbeat_task_and_its_publication_write_the_heartbeats(settings):
    from skincare.tasks import heartbeat

    cache.delete_many([celery_hooks.WORKER_HEARTBEAT_KEY, celery_hooks.BEAT_HEARTBEAT_KEY])
    heartbeat.apply()
    assert time.time() - cache.get(celery_hooks.WORKER_HEARTBEAT_KEY) < 5
    # Beat publishing the heartbeat task (before_task_publish) marks beat alive.
    celery_hooks.task_publish_headers(sender=celery_hooks.HEARTBEAT_TASK, headers={})
    assert time.time() - cache.get(celery_hooks.BEAT_HEARTBEAT_KEY) < 5
    assert settings.CELERY_BEAT_SCHEDULE["health-heartbeat"]["task"] == celery_hooks.HEARTBEAT_TASK


# --- Celery ready for failures: limits and timeouts --------------------------------------------


def test_celery_failure_settings():
    from skincare.celery import app

    app.loader.import_default_modules()
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_reject_on_worker_lost is True
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (300, 360)
    etl = app.tasks["ml.etl_feedback_stream"]
    assert (etl.soft_time_limit, etl.time_limit) == (1500, 1620)
    assert app.tasks["skin_analysis.run"].soft_time_limit == 120  # its own, tighter limit stays


@pytest.fixture
def silent_server():
    with silent_tcp_server() as port:
        yield port


def test_a_hung_smtp_server_gives_up_within_email_timeout(settings, silent_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_server
    settings.EMAIL_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):  # an OSError: the e-mail tasks retry it
        mail.send_mail("subject", "body", "shop@example.com", ["someone@example.com"])
    assert time.monotonic() - started < 3
