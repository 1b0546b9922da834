"""skincare.deferred: work deferred inside a batch is flushed once per key when the batch ends."""

import pytest
from celery import shared_task

from skincare import deferred
from skincare.testing import round_trips


def _collector(log, name):
    return lambda items: log.append((name, list(items)))


def test_outside_a_batch_each_item_is_flushed_at_once():
    log = []
    deferred.defer("a", 1, flush=_collector(log, "a"))
    deferred.defer("a", 2, flush=_collector(log, "a"))
    assert log == [("a", [1]), ("a", [2])]


def test_a_batch_flushes_each_key_once_at_its_end_in_first_use_order():
    log = []
    with deferred.batch():
        deferred.defer("notices", 1, flush=_collector(log, "notices"))
        deferred.defer("mails", "x", flush=_collector(log, "mails"))
        deferred.defer("notices", 2, flush=_collector(log, "notices"))
        assert log == []
    assert log == [("notices", [1, 2]), ("mails", ["x"])]


def test_a_nested_batch_leaves_the_flush_to_the_outermost():
    log = []
    with deferred.batch():
        with deferred.batch():
            deferred.defer("a", 1, flush=_collector(log, "a"))
        assert log == []
        deferred.defer("a", 2, flush=_collector(log, "a"))
    assert log == [("a", [1, 2])]
    deferred.defer("a", 3, flush=_collector(log, "a"))  # the batch is over
    assert log[-1] == ("a", [3])


def test_work_deferred_while_flushing_is_flushed_by_the_same_batch_after_it():
    log = []

    def flush(items):
        log.append(("first", items))
        deferred.defer("second", "y", flush=_collector(log, "second"))

    with deferred.batch():
        deferred.defer("first", "x", flush=flush)
    assert log == [("first", ["x"]), ("second", ["y"])]


def test_an_exception_still_flushes_what_was_deferred_and_propagates():
    log = []
    with pytest.raises(ValueError, match="payment"):
        with deferred.batch():
            deferred.defer("a", 1, flush=_collector(log, "a"))
            raise ValueError("payment failed after the order committed")
    assert log == [("a", [1])]


def test_a_failing_flush_does_not_drop_the_others_and_is_raised_after_them():
    log = []

    def broken(items):
        raise RuntimeError("broker refused")

    with pytest.raises(RuntimeError, match="broker refused"):
        with deferred.batch():
            deferred.defer("broken", 1, flush=broken)
            deferred.defer("b", 2, flush=_collector(log, "b"))
    assert log == [("b", [2])]


# --- publish: a batch's Celery tasks leave as one message (with a broker) ------------------------------

RUNS = []


@shared_task(name="tests.deferred.record")
def _record(*, value):
    RUNS.append(value)


@shared_task(name="tests.deferred.broken")
def _broken(*, value):
    RUNS.append(value)
    raise ValueError(value)


@shared_task(name="tests.deferred.flaky", autoretry_for=(OSError,), max_retries=3)
def _flaky(*, value):
    RUNS.append(value)
    raise OSError(value)


@shared_task(name="tests.deferred.merged", deferred_merge="values")
def _merged(*, values):
    """Writes its values in one statement: a value ``"broken"`` makes the whole statement fail."""
    from skincare.models import PendingTask

    RUNS.append(list(values))
    PendingTask.objects.bulk_create([PendingTask(name=f"tests.value.{value}") for value in values])
    if "broken" in values:
        raise ValueError("broken value")


@pytest.fixture
def sent(monkeypatch, settings):
    """Every message published (task name, args, kwargs, options), nothing run: as with a broker (and one
    message per batch: ``DEFERRED_DRAIN_SECONDS = 0``; the drain's tests set it)."""
    from skincare.celery import app

    settings.DEFERRED_DRAIN_SECONDS = 0
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    RUNS.clear()
    log = []
    for task in (_record, _broken, _flaky, _merged, deferred.deferred_run, deferred.deferred_drain):
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=(), kwargs=None, name=task.name, **options: log.append((name, list(args), kwargs, options)),
        )
        monkeypatch.setattr(
            task, "delay", lambda *args, name=task.name, **kwargs: log.append((name, list(args), kwargs, {}))
        )
    return log


def test_with_a_broker_the_tasks_of_a_batch_leave_as_one_message_after_the_other_flushes(sent):
    def notices(items):
        deferred.publish(_record, kwargs={"value": items})  # a flush that publishes joins the message

    with deferred.batch():
        deferred.publish(_record, kwargs={"value": "mail"})
        deferred.defer("notices", "n1", flush=notices)
        deferred.publish(_record, args=(), kwargs={"value": "later"}, countdown=30)
        deferred.defer("notices", "n2", flush=notices)
        assert sent == []

    assert [(name, kwargs) for name, _, kwargs, _ in sent] == [
        (
            "skincare.deferred_run",
            {
                "tasks": [
                    ("tests.deferred.record", [], {"value": "mail"}, {}),
                    ("tests.deferred.record", [], {"value": "later"}, {"countdown": 30}),
                    ("tests.deferred.record", [], {"value": ["n1", "n2"]}, {}),
                ]
            },
        )
    ]


def test_one_task_or_no_batch_is_sent_as_itself(sent):
    deferred.publish(_record, kwargs={"value": 1})
    with deferred.batch():
        deferred.publish(_record, kwargs={"value": 2}, countdown=5)
    assert sent == [
        ("tests.deferred.record", [], {"value": 1}, {}),
        ("tests.deferred.record", [], {"value": 2}, {"countdown": 5}),
    ]


def test_celery_eager_sends_each_task_at_once_inside_a_batch(settings):
    from skincare.celery import app

    assert app.conf.task_always_eager
    RUNS.clear()
    with deferred.batch():
        deferred.publish(_record, kwargs={"value": "a"})
        assert RUNS == ["a"]
        deferred.publish(_record, kwargs={"value": "b"})
    assert RUNS == ["a", "b"]


@pytest.mark.django_db  # the failed task's row
def test_the_worker_runs_each_task_on_its_own_and_resends_only_what_would_retry(sent):
    deferred.deferred_run(
        tasks=[
            ("tests.deferred.broken", [], {"value": "broken"}, {}),
            ("tests.deferred.flaky", [], {"value": "flaky"}, {}),
            ("tests.deferred.record", [], {"value": "later"}, {"countdown": 30}),
            ("tests.deferred.record", [], {"value": "ok"}, {}),
        ]
    )
    assert RUNS == ["broken", "flaky", "ok"]  # a failure stops nothing; the delayed one is not run here
    assert sent == [  # the OSError the flaky task retries: sent again on its own; the ValueError is not
        ("tests.deferred.flaky", [], {"value": "flaky"}, {}),
        ("tests.deferred.record", [], {"value": "later"}, {"countdown": 30}),
    ]


def _outcomes(*names):
    from prometheus_client import REGISTRY

    def value(metric, **labels):
        return REGISTRY.get_sample_value(metric, labels) or 0

    return {
        name: (
            {outcome: value("celery_tasks_total", task=name, outcome=outcome)
             for outcome in ("succeeded", "failed", "retried")},
            value("celery_task_duration_seconds_count", task=name),
        )
        for name in names
    }  # fmt: skip


@pytest.mark.django_db
def test_each_task_of_the_message_is_measured_and_a_failure_recorded_under_its_own_name(sent):
    """As its own message would be (issue 17): a task that fails for good leaves its own ``FailedTask`` row with
    its name, arguments, error and the request id the message carries; every task run counts its outcome and
    duration under its own name. The one re-sent to retry leaves no row."""
    from skincare.models import FailedTask
    from skincare.observability.context import LogContext, bind, unbind

    names = ("tests.deferred.broken", "tests.deferred.flaky", "tests.deferred.record", "skincare.deferred_run")
    before = _outcomes(*names)
    token = bind(LogContext(request_id="req-batch-7"))  # what task_prerun binds from the message's headers
    try:
        deferred.deferred_run.apply(
            kwargs={
                "tasks": [
                    ("tests.deferred.broken", [], {"value": "broken"}, {}),
                    ("tests.deferred.flaky", [], {"value": "flaky"}, {}),
                    ("tests.deferred.record", [], {"value": "later"}, {"countdown": 30}),
                    ("tests.deferred.record", [], {"value": "ok"}, {}),
                ]
            },
            task_id="message-1",
        )
    finally:
        unbind(token)
    after = _outcomes(*names)

    [row] = FailedTask.objects.all()
    assert (row.task_id, row.task_name, row.args, row.kwargs) == (
        "message-1:0",
        "tests.deferred.broken",
        "[]",
        "{'value': 'broken'}",
    )
    assert (row.exception_type, row.exception_message, row.request_id) == ("ValueError", "broken", "req-batch-7")
    assert "raise ValueError(value)" in row.traceback

    def delta(name):
        (outcomes_before, durations_before), (outcomes_after, durations_after) = before[name], after[name]
        return {key: outcomes_after[key] - outcomes_before[key] for key in outcomes_after}, (
            durations_after - durations_before
        )

    assert delta("tests.deferred.broken") == ({"succeeded": 0, "failed": 1, "retried": 0}, 1)
    assert delta("tests.deferred.flaky") == ({"succeeded": 0, "failed": 0, "retried": 1}, 1)
    assert delta("tests.deferred.record") == ({"succeeded": 1, "failed": 0, "retried": 0}, 1)  # the delayed one: later
    assert delta("skincare.deferred_run") == ({"succeeded": 1, "failed": 0, "retried": 0}, 1)


# --- the drain: the batches of many operations, stored, run together by one worker task ---------------


@pytest.fixture
def drained(sent, settings, monkeypatch):
    """As ``sent``, with the drain on (a window of 1 s) and this process's last drain long gone."""
    settings.DEFERRED_DRAIN_SECONDS = 1.0
    monkeypatch.setattr(deferred, "_drain_due", 0.0)
    return sent


def _values():
    from skincare.models import PendingTask

    return sorted(PendingTask.objects.filter(name__startswith="tests.value.").values_list("name", flat=True))


@pytest.mark.django_db
def test_with_a_drain_each_batch_is_one_row_and_a_window_sends_one_drain(drained):
    from skincare.models import DeferredBatch

    for checkout in (1, 2, 3):
        with deferred.batch():
            deferred.publish(_merged, kwargs={"values": [f"{checkout}a", f"{checkout}b"]})
            deferred.publish(_record, kwargs={"value": f"mail {checkout}"})

    assert [row.tasks for row in DeferredBatch.objects.order_by("pk")] == [
        [
            ["tests.deferred.merged", [], {"values": [f"{n}a", f"{n}b"]}, {}],
            ["tests.deferred.record", [], {"value": f"mail {n}"}, {}],
        ]
        for n in (1, 2, 3)
    ]
    assert drained == [("skincare.deferred_drain", [], None, {"countdown": 1.0})]  # one per window, not per batch
    assert RUNS == []


@pytest.mark.django_db
def test_the_drain_runs_each_row_once_the_lists_of_a_merged_task_in_one_call_and_deletes_them(drained):
    from skincare.models import DeferredBatch

    for checkout in (1, 2, 3):
        with deferred.batch():
            deferred.publish(_merged, kwargs={"values": [f"{checkout}a", f"{checkout}b"]})
            deferred.publish(_record, kwargs={"value": f"mail {checkout}"})

    assert deferred.deferred_drain() == 3

    assert RUNS == [["1a", "1b", "2a", "2b", "3a", "3b"], "mail 1", "mail 2", "mail 3"]
    assert _values() == [f"tests.value.{n}{x}" for n in (1, 2, 3) for x in "ab"]
    assert not DeferredBatch.objects.exists()
    assert deferred.deferred_drain() == 0


@pytest.mark.django_db
def test_a_broken_item_does_not_stop_the_drain(drained):
    """The merged call fails and is undone; each call then runs on its own: the good values are written once,
    the broken call fails for good (its ``FailedTask`` row), the other tasks run or retry as before."""
    from skincare.models import DeferredBatch, FailedTask

    DeferredBatch.objects.create(tasks=[("tests.deferred.merged", [], {"values": ["1a"]}, {})])
    DeferredBatch.objects.create(
        tasks=[
            ("tests.deferred.merged", [], {"values": ["broken"]}, {}),
            ("tests.deferred.broken", [], {"value": "broken task"}, {}),
            ("tests.deferred.flaky", [], {"value": "flaky"}, {}),
        ]
    )
    DeferredBatch.objects.create(
        tasks=[
            ("tests.deferred.merged", [], {"values": ["3a"]}, {}),
            ("tests.deferred.record", [], {"value": "ok"}, {}),
        ]
    )

    assert deferred.deferred_drain() == 3

    assert RUNS == [["1a", "broken", "3a"], ["1a"], ["broken"], ["3a"], "broken task", "flaky", "ok"]
    assert _values() == ["tests.value.1a", "tests.value.3a", "tests.value.broken"]  # each once
    assert sorted(FailedTask.objects.values_list("task_name", flat=True)) == [
        "tests.deferred.broken",
        "tests.deferred.merged",
    ]
    assert drained == [("tests.deferred.flaky", [], {"value": "flaky"}, {})]  # sent again to retry
    assert not DeferredBatch.objects.exists()


@pytest.mark.django_db
def test_a_row_claimed_by_a_live_drain_is_left_to_it_until_its_claim_runs_out(drained):
    from datetime import timedelta

    from django.utils import timezone

    from skincare.models import DeferredBatch

    held = DeferredBatch.objects.create(
        tasks=[("tests.deferred.record", [], {"value": "held"}, {})],
        claimed_until=timezone.now() + timedelta(minutes=5),
    )
    DeferredBatch.objects.create(tasks=[("tests.deferred.record", [], {"value": "free"}, {})])

    assert deferred.deferred_drain() == 1
    assert RUNS == ["free"]
    assert list(DeferredBatch.objects.values_list("pk", flat=True)) == [held.pk]

    DeferredBatch.objects.filter(pk=held.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert deferred.deferred_drain() == 1  # its drain died: the next one runs it
    assert RUNS == ["free", "held"]


@pytest.mark.django_db
def test_a_batch_the_database_cannot_store_leaves_as_one_message(drained, monkeypatch):
    from django.db import OperationalError

    from skincare.models import DeferredBatch

    def refused(items):
        raise OperationalError("database gone")

    monkeypatch.setattr(deferred, "_store", refused)
    with deferred.batch():
        deferred.publish(_record, kwargs={"value": "a"})
        deferred.publish(_record, kwargs={"value": "b"})

    assert [name for name, *_ in drained] == ["skincare.deferred_run"]
    assert not DeferredBatch.objects.exists()


needs_redis = pytest.mark.skipif(deferred.redis_connection() is None, reason="the shared trigger needs Redis")


def _other_process(monkeypatch):
    """What a fresh web process knows: no drain sent by it yet."""
    monkeypatch.setattr(deferred, "_drain_due", 0.0)


@needs_redis
@pytest.mark.django_db
def test_with_redis_the_processes_of_a_deployment_send_one_drain_per_window(drained, monkeypatch):
    import time

    from django.core.cache import cache

    from skincare.models import DeferredBatch

    sent, counting = round_trips()
    for process in (1, 2, 3):
        _other_process(monkeypatch)
        with counting, deferred.batch():
            deferred.publish(_record, kwargs={"value": f"mail {process}"})
    with counting, deferred.batch():  # the third process again: it knows the first one's drain has not started
        deferred.publish(_record, kwargs={"value": "mail 4"})

    assert drained == [("skincare.deferred_drain", [], None, {"countdown": 1.0})]
    assert DeferredBatch.objects.count() == 4
    assert len(sent) == 3  # the trigger's key, once per process
    assert 0 < deferred._drain_due - time.monotonic() <= 0.75

    deferred.redis_connection().delete(cache.make_key(deferred.DRAIN_KEY))  # the key expired: that drain has started
    _other_process(monkeypatch)
    with deferred.batch():
        deferred.publish(_record, kwargs={"value": "mail 5"})
    assert [name for name, *_ in drained] == ["skincare.deferred_drain"] * 2


@pytest.mark.django_db
def test_a_drain_that_cannot_be_sent_leaves_the_trigger_to_the_next_batch(drained, monkeypatch):
    from django.core.cache import cache

    from skincare.models import DeferredBatch

    def refused(**options):
        raise OSError("broker gone")

    recorded = deferred.deferred_drain.apply_async
    monkeypatch.setattr(deferred.deferred_drain, "apply_async", refused)
    with pytest.raises(OSError, match="broker gone"), deferred.batch():
        deferred.publish(_record, kwargs={"value": "a"})

    assert DeferredBatch.objects.count() == 1  # kept for the next drain (or beat's)
    assert deferred._drain_due == 0.0
    if deferred.redis_connection() is not None:
        assert not deferred.redis_connection().exists(cache.make_key(deferred.DRAIN_KEY))
    monkeypatch.setattr(deferred.deferred_drain, "apply_async", recorded)
    with deferred.batch():
        deferred.publish(_record, kwargs={"value": "b"})
    assert [name for name, *_ in drained] == ["skincare.deferred_drain"]
    assert deferred.deferred_drain() == 2


@pytest.mark.django_db
def test_with_redis_down_each_process_sends_its_own_drain(drained, monkeypatch):
    class Down:
        def pipeline(self, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deferred, "redis_connection", Down)
    for process in (1, 2):
        _other_process(monkeypatch)
        with deferred.batch():
            deferred.publish(_record, kwargs={"value": f"mail {process}"})

    assert [name for name, *_ in drained] == ["skincare.deferred_drain"] * 2


@pytest.mark.django_db
def test_the_e_mails_of_a_drain_share_one_connection(drained, monkeypatch, settings):
    from django.core import mail as django_mail

    from skincare import mail
    from skincare.models import DeferredBatch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    opened = []
    real = mail.get_connection
    monkeypatch.setattr(mail, "get_connection", lambda *a, **kw: opened.append(1) or real(*a, **kw))
    import skincare.tasks  # noqa: F401 - registers skincare.send_templated_email

    context = {"order_number": "SK-1", "customer_name": "Ann", "items": []}
    for to in ("a@example.com", "b@example.com"):
        kwargs = {"to": to, "template": "emails/orders/placed", "context": context}
        DeferredBatch.objects.create(tasks=[("skincare.send_templated_email", [], kwargs, {})])

    deferred.deferred_drain()

    assert [message.to for message in django_mail.outbox] == [["a@example.com"], ["b@example.com"]]
    assert len(opened) == 1


# --- redis_after_commit: the after-commit Redis writes of a batch in one pipeline ----------------------


def test_without_redis_the_plain_cache_calls_run_at_once_even_in_a_batch(monkeypatch):
    monkeypatch.setattr(deferred, "_uses_redis", lambda: False)
    log = []
    with deferred.batch():
        deferred.redis_after_commit(lambda pipe: log.append("pipeline"), plain=lambda: log.append("plain"))
        assert log == ["plain"]
    assert log == ["plain"]


@needs_redis
def test_a_batch_sends_its_callers_commands_in_one_round_trip_when_it_ends_each_with_its_replies():
    from django.core.cache import cache

    a, b = cache.make_key("deferred-test:a"), cache.make_key("deferred-test:b")
    cache.delete_many(["deferred-test:a", "deferred-test:b"])
    replies = []
    sent, counting = round_trips()
    with counting, deferred.batch():
        deferred.redis_after_commit(
            lambda pipe: (pipe.rpush(a, "x", "y"), pipe.rpush(a, "z")), plain=None, replies=replies.append
        )
        # a flush of another key that adds commands joins the same pipeline (it goes before the Redis key)
        deferred.defer(
            "other",
            1,
            flush=lambda items: deferred.redis_after_commit(
                lambda pipe: pipe.incr(b), plain=None, replies=replies.append
            ),
        )
        deferred.redis_after_commit(lambda pipe: pipe.lpop(b), plain=None)  # a command's error is its own reply
        assert sent == []
    assert len(sent) == 1
    assert replies == [[2, 3], [1]]
    assert cache.client.get_client().lrange(a, 0, -1) == [b"x", b"y", b"z"]
    cache.delete_many(["deferred-test:a", "deferred-test:b"])


@needs_redis
def test_outside_a_batch_the_commands_are_sent_at_once(monkeypatch):
    from django.core.cache import cache

    key = cache.make_key("deferred-test:c")
    replies = []
    deferred.redis_after_commit(lambda pipe: pipe.set(key, 1), plain=None, replies=replies.append)
    assert replies == [[True]]
    cache.delete("deferred-test:c")


@pytest.mark.parametrize("ignore", [True, False])
def test_redis_down_calls_each_callers_fallback_and_the_rest_follow_the_cache_setting(monkeypatch, ignore):
    from django.core.cache import cache

    class Down:
        def pipeline(self, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deferred, "_uses_redis", lambda: True)
    monkeypatch.setattr(deferred, "redis_connection", Down)
    monkeypatch.setattr(cache, "_ignore_exceptions", ignore, raising=False)
    failed = []

    def writes():
        with deferred.batch():
            deferred.redis_after_commit(lambda pipe: None, plain=None)  # the default: as the cache's errors
            deferred.redis_after_commit(lambda pipe: None, plain=None, failed=failed.append)

    if ignore:
        writes()
    else:
        with pytest.raises(ConnectionError):
            writes()
    assert [str(error) for error in failed] == ["Error 111 connecting to 127.0.0.1:6379. Connection refused."]
