"""A broker outage loses no task: the message waits in the outbox and is published when the broker is back."""

import pytest
from amqp.exceptions import ChannelError
from celery import shared_task
from kombu import Connection, pools

from skincare.celery import app
from skincare.models import PendingTask
from skincare.outbox import outbox_flush
from skincare.tasks import outbox_flush_task, send_templated_email
from skincare.testing import SilentServer

pytestmark = pytest.mark.django_db

DOWN = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1: connection refused at once


@shared_task(name="skincare.tests.outbox_probe")
def outbox_probe(value):
    return value


@pytest.fixture
def broker(monkeypatch):
    """A real (in-memory) broker, with a switch to take it down."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)

    def use(url):
        monkeypatch.setitem(app.conf, "broker_url", url)
        _reset_pools()

    use("memory://")
    yield use
    _reset_pools()


def _reset_pools():
    """Connections are pooled per app: drop them so the next publish connects to the current URL."""
    if app._pool is not None:
        app._pool.force_close_all()
    pools.reset()  # kombu's process-wide connection and producer pools
    app._pool = None
    app.amqp._producer_pool = None


def _queued(queue="celery"):
    """Messages waiting in the in-memory broker's queue (0 before the queue exists)."""
    with Connection("memory://") as conn:
        try:
            return conn.default_channel.queue_declare(queue, passive=True).message_count
        except ChannelError:
            return 0


def test_a_task_sent_while_the_broker_is_down_waits_in_the_outbox(broker):
    broker(DOWN)
    result = send_templated_email.delay(to="a@example.com", template="emails/orders/placed", context={"n": 1})
    assert result is None
    row = PendingTask.objects.get()
    assert (row.name, row.args, row.kwargs) == (
        "skincare.send_templated_email",
        [],
        {"to": "a@example.com", "template": "emails/orders/placed", "context": {"n": 1}},
    )
    assert "refused" in row.error.lower() or row.error


def test_flush_publishes_in_order_once_the_broker_is_back_and_keeps_them_while_it_is_not(broker):
    broker(DOWN)
    outbox_probe.delay(1)
    outbox_probe.apply_async(args=[2], countdown=5)
    assert PendingTask.objects.count() == 2
    assert outbox_flush() == {"published": 0, "left": 2}
    assert PendingTask.objects.order_by("pk").first().attempts == 1

    broker("memory://")
    before = _queued()
    assert outbox_flush_task() == {"published": 2, "left": 0}
    assert not PendingTask.objects.exists()
    assert _queued() == before + 2


def test_with_the_broker_up_nothing_goes_to_the_outbox(broker):
    before = _queued()
    assert outbox_probe.delay(3) is not None
    assert not PendingTask.objects.exists()
    assert _queued() == before + 1


def test_eager_mode_never_uses_the_outbox():
    assert app.conf.task_always_eager  # the embedded default and the test settings
    assert outbox_probe.delay(4).get() == 4
    assert not PendingTask.objects.exists()


def test_with_the_drain_an_operations_tasks_wait_in_the_database_while_the_broker_is_down(
    broker, settings, monkeypatch
):
    """The batch is a ``DeferredBatch`` row from its INSERT; the drain's trigger waits in the outbox; once the
    broker is back the trigger leaves and its drain runs the row."""
    from skincare import deferred
    from skincare.models import DeferredBatch

    settings.DEFERRED_DRAIN_SECONDS = 1.0
    monkeypatch.setattr(deferred, "_drain_due", 0.0)
    broker(DOWN)
    with deferred.batch():
        deferred.publish(outbox_probe, args=[5])
        deferred.publish(outbox_probe, args=[6])

    [row] = DeferredBatch.objects.all()
    assert row.tasks == [["skincare.tests.outbox_probe", [5], {}, {}], ["skincare.tests.outbox_probe", [6], {}, {}]]
    [pending] = PendingTask.objects.all()
    assert (pending.name, pending.options) == ("skincare.deferred_drain", {"countdown": 1.0})

    broker("memory://")
    before = _queued()
    assert outbox_flush() == {"published": 1, "left": 0}
    assert _queued() == before + 1
    assert deferred.deferred_drain() == 1  # what that message runs
    assert not DeferredBatch.objects.exists()


@pytest.fixture
def silent_broker(broker, monkeypatch):
    """A broker host that never answers: each publish waits for the connection timeout."""
    server = SilentServer()
    monkeypatch.setitem(app.conf, "broker_connection_timeout", 0.5)
    broker(f"amqp://guest:guest@127.0.0.1:{server.port}//")
    yield server
    server.close()


def test_after_a_refusal_the_next_tasks_go_to_the_outbox_without_waiting_for_the_broker_again(
    silent_broker, settings, monkeypatch
):
    import time

    from skincare import service_outage

    settings.SERVICE_DOWN_HOLD_SECONDS = 15
    now = [1000.0]
    monkeypatch.setattr(service_outage.time, "monotonic", lambda: now[0])

    started = time.perf_counter()
    assert outbox_probe.delay(1) is None
    first = time.perf_counter() - started
    assert silent_broker.connections == 1 and first >= 0.5  # the first waited for the connection timeout

    started = time.perf_counter()
    for value in (2, 3, 4):
        assert outbox_probe.delay(value) is None
    assert time.perf_counter() - started < 0.5  # three tasks, none of them waiting
    assert silent_broker.connections == 1  # the broker was not asked again
    rows = list(PendingTask.objects.order_by("pk"))
    assert [row.args for row in rows] == [[1], [2], [3], [4]]
    assert "timed out" in rows[0].error and "not asked again" in rows[1].error

    now[0] += 15  # the hold is over: the next task asks the broker again
    assert outbox_probe.delay(5) is None
    assert silent_broker.connections == 2
    assert PendingTask.objects.count() == 5


def test_once_the_hold_is_over_a_broker_that_is_back_takes_the_tasks_again(broker, settings, monkeypatch):
    from skincare import service_outage

    settings.SERVICE_DOWN_HOLD_SECONDS = 15
    now = [1000.0]
    monkeypatch.setattr(service_outage.time, "monotonic", lambda: now[0])
    broker(DOWN)
    outbox_probe.delay(1)
    broker("memory://")
    outbox_probe.delay(2)  # still within the hold: kept, though the broker is back
    assert PendingTask.objects.count() == 2

    now[0] += 15
    before = _queued()
    assert outbox_probe.delay(3) is not None
    assert _queued() == before + 1
    assert PendingTask.objects.count() == 2  # and beat's flush sends the two kept ones
    assert outbox_flush() == {"published": 2, "left": 0}


def test_a_publish_tries_a_broker_whose_name_does_not_resolve_twice_then_keeps_the_task(broker, monkeypatch):
    """Each try waits for the resolver (10 s in the compose trial); Celery's default four tries held a checkout
    past gunicorn's 30 s timeout."""
    import socket

    real = socket.getaddrinfo
    tries = []

    def unresolvable(host, *args, **kwargs):
        if host == "broker-gone.invalid":
            tries.append(host)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    monkeypatch.setitem(app.conf, "task_publish_retry", True)  # settings.py's policy, as in production
    broker("amqp://guest:guest@broker-gone.invalid:5672//")
    # Celery reads the retry settings once, when it makes its task sender: a fresh one here and after the test.
    app.amqp.__dict__.pop("send_task_message", None)
    try:
        assert outbox_probe.delay(1) is None
    finally:
        app.amqp.__dict__.pop("send_task_message", None)

    assert len(tries) == 2
    assert PendingTask.objects.get().args == [1]
