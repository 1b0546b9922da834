"""The recommendation refresh is coalesced (ml.rec_services): eager, one per shopper per window; with a
broker, one delayed batch per window for every shopper pending (a Redis set)."""

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core.cache import cache

from ml import buffer, rec_services, recommendations, tasks
from shop.accounts.tests.factories import UserFactory
from skincare import deferred
from skincare.celery import app

pytestmark = pytest.mark.django_db
needs_redis = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].startswith("django_redis"), reason="the pending set needs Redis"
)


@pytest.fixture
def calls(monkeypatch):
    """What was queued: ("delay", kwargs, options) or ("apply_async", kwargs, options) per call, nothing run."""
    log = []
    task = tasks.recommendations_refresh
    monkeypatch.setattr(task, "delay", lambda **kwargs: log.append(("delay", kwargs, {})))
    monkeypatch.setattr(
        task, "apply_async", lambda args=(), kwargs=None, **options: log.append(("apply_async", kwargs, options))
    )
    return log


@pytest.fixture
def broker(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)


@pytest.fixture
def refreshed(monkeypatch):
    """The users each run of the refresh was given (the lists are not rebuilt)."""
    runs = []
    monkeypatch.setattr(
        recommendations, "recommendations_users_refresh", lambda *, user_ids: runs.append(list(user_ids)) or set()
    )
    return runs


def pending():
    conn = buffer._redis()
    return sorted(int(m) for m in conn.smembers(cache.make_key(rec_services.PENDING_KEY)))


def test_eager_a_refresh_runs_at_once_and_triggers_in_its_window_are_skipped(calls, run_on_commit):
    shopper, other = UserFactory(), UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    rec_services.recommendations_refresh_later(user_id=shopper.pk)  # e.g. placed, then confirmed
    rec_services.recommendations_refresh_later(user_id=other.pk)
    assert calls == [("delay", {"user_ids": [shopper.pk]}, {}), ("delay", {"user_ids": [other.pk]}, {})]

    cache.delete(rec_services.refresh_claim_key(shopper.pk))  # the window is over
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    assert calls[-1] == ("delay", {"user_ids": [shopper.pk]}, {})


@needs_redis
def test_with_a_broker_one_delayed_batch_takes_every_shopper_until_it_starts(calls, broker, run_on_commit):
    shoppers = [UserFactory() for _ in range(3)]
    for shopper in shoppers + shoppers[:1]:
        rec_services.recommendations_refresh_later(user_id=shopper.pk)
    assert calls == [("apply_async", {}, {"countdown": settings.ML_REFRESH_WINDOW_SECONDS})]
    assert pending() == sorted(s.pk for s in shoppers)


@needs_redis
def test_a_batch_refreshes_the_pending_shoppers_and_a_trigger_during_it_schedules_the_next(
    calls, broker, run_on_commit, refreshed, monkeypatch
):
    first, second, late = UserFactory(), UserFactory(), UserFactory()
    rec_services.recommendations_refresh_later(user_id=first.pk)
    rec_services.recommendations_refresh_later(user_id=second.pk)

    def refresh_while_a_purchase_commits(*, user_ids):
        refreshed.append(list(user_ids))
        rec_services.recommendations_refresh_later(user_id=late.pk)
        rec_services.recommendations_refresh_later(user_id=first.pk)  # bought again after the batch read
        return set(user_ids)

    monkeypatch.setattr(recommendations, "recommendations_users_refresh", refresh_while_a_purchase_commits)
    assert tasks.recommendations_refresh.apply(kwargs={}).get() == {"users": 2, "written": 2}
    assert refreshed == [sorted([first.pk, second.pk])]
    assert len(calls) == 2 and calls[1] == calls[0]  # the next batch, scheduled by the first trigger during it
    assert pending() == sorted([first.pk, late.pk])


@needs_redis
def test_a_batch_that_fails_leaves_its_shoppers_pending_and_its_retry_refreshes_them(
    calls, broker, run_on_commit, refreshed, monkeypatch
):
    shoppers = sorted(UserFactory().pk for _ in range(2))
    for pk in shoppers:
        rec_services.recommendations_refresh_later(user_id=pk)
    seen = []

    def fails_once(*, user_ids):
        seen.append((list(user_ids), pending()))
        if len(seen) == 1:
            raise ConnectionError("the store went away")
        return set(user_ids)

    monkeypatch.setattr(recommendations, "recommendations_users_refresh", fails_once)
    with pytest.raises(Retry):  # autoretry: the same message again, later
        tasks.recommendations_refresh.apply(kwargs={})
    assert pending() == shoppers
    assert tasks.recommendations_refresh.apply(kwargs={}).get() == {"users": 2, "written": 2}  # the retry
    assert seen == [(shoppers, []), (shoppers, [])]  # taken out of the set while each run lasts
    assert pending() == []


@needs_redis
def test_a_batch_whose_worker_died_finds_its_shoppers_again_when_redelivered(calls, broker, run_on_commit):
    shopper = UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    taken = rec_services.refresh_pending_taken(batch="message-1")
    assert taken.__enter__() == [shopper.pk]  # the process dies here: no exit, no put-back
    with rec_services.refresh_pending_taken(batch="message-1") as again:
        assert again == [shopper.pk]
    with rec_services.refresh_pending_taken(batch="message-1") as done:
        assert done == []


def test_with_a_broker_and_no_shared_set_each_trigger_queues_its_shopper(calls, broker, run_on_commit, monkeypatch):
    monkeypatch.setattr(deferred, "_uses_redis", lambda: False)  # the embedded cache: no set the worker sees
    shopper = UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    window = {"countdown": settings.ML_REFRESH_WINDOW_SECONDS}
    assert calls == [("apply_async", {"user_ids": [shopper.pk]}, window)] * 2


def test_redis_that_cannot_answer_never_skips_a_refresh(calls, broker, run_on_commit, monkeypatch):
    class Down:
        def pipeline(self, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deferred, "_uses_redis", lambda: True)
    monkeypatch.setattr(deferred, "redis_connection", Down)
    shopper = UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    window = {"countdown": settings.ML_REFRESH_WINDOW_SECONDS}
    assert calls == [("apply_async", {"user_ids": [shopper.pk]}, window)]


def test_eager_a_cache_that_cannot_answer_never_skips_a_refresh(calls, run_on_commit, monkeypatch):
    class Unreachable:  # django-redis with IGNORE_EXCEPTIONS while Redis is down: None, not False
        def add(self, *args, **kwargs):
            return None

    monkeypatch.setattr(rec_services, "cache", Unreachable())
    shopper = UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    assert [call[1] for call in calls] == [{"user_ids": [shopper.pk]}] * 2


def test_a_message_queued_before_the_batches_still_refreshes_its_shopper(refreshed):
    assert tasks.recommendations_user_refresh.run(7, release=True) == {"users": 1, "written": 0}
    assert refreshed == [[7]]
