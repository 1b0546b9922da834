"""The per-user recommendation refresh is coalesced: one per shopper per window (ml.rec_services)."""

import pytest
from django.core.cache import cache

from ml import rec_services, tasks
from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """What was queued: ("delay", args, kwargs, options) per call, nothing run."""
    log = []
    task = tasks.recommendations_user_refresh
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: log.append(("delay", args, kwargs, {})))
    monkeypatch.setattr(
        task,
        "apply_async",
        lambda args=(), kwargs=None, **options: log.append(("apply_async", tuple(args), kwargs or {}, options)),
    )
    return log


def test_eager_a_refresh_runs_at_once_and_triggers_in_its_window_are_skipped(calls, run_on_commit):
    shopper, other = UserFactory(), UserFactory()
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    rec_services.recommendations_refresh_later(user_id=shopper.pk)  # e.g. placed, then confirmed
    rec_services.recommendations_refresh_later(user_id=other.pk)
    assert calls == [("delay", (shopper.pk,), {}, {}), ("delay", (other.pk,), {}, {})]
    assert cache.get(rec_services.refresh_claim_key(shopper.pk)) is not None

    cache.delete(rec_services.refresh_claim_key(shopper.pk))  # the window is over
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    assert calls[-1] == ("delay", (shopper.pk,), {}, {})


def test_with_a_broker_one_delayed_refresh_takes_every_trigger_until_it_starts(calls, run_on_commit):
    from skincare.celery import app

    shopper = UserFactory()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        rec_services.recommendations_refresh_later(user_id=shopper.pk)
        rec_services.recommendations_refresh_later(user_id=shopper.pk)
    finally:
        app.conf.task_always_eager = eager
    assert calls == [
        ("apply_async", (shopper.pk,), {"release": True}, {"countdown": rec_services.REFRESH_COALESCE_SECONDS})
    ]
    assert cache.get(rec_services.refresh_claim_key(shopper.pk)) is not None


def test_the_delayed_refresh_releases_the_claim_before_it_reads(monkeypatch):
    from ml import recommendations

    shopper = UserFactory()
    cache.add(rec_services.refresh_claim_key(shopper.pk), 1, 60)
    seen = []
    monkeypatch.setattr(
        recommendations,
        "recommendations_user_refresh",
        lambda *, user_id: seen.append(cache.get(rec_services.refresh_claim_key(user_id))) or True,
    )
    assert tasks.recommendations_user_refresh.run(shopper.pk, release=True) == {"written": True}
    assert seen == [None]  # a purchase committed from now on queues the next refresh
    cache.add(rec_services.refresh_claim_key(shopper.pk), 1, 60)
    tasks.recommendations_user_refresh.run(shopper.pk)  # eager (no release): the claim holds its window
    assert cache.get(rec_services.refresh_claim_key(shopper.pk)) is not None


def test_a_cache_that_cannot_answer_never_skips_a_refresh(calls, run_on_commit, monkeypatch):
    shopper = UserFactory()

    class Unreachable:  # django-redis with IGNORE_EXCEPTIONS while Redis is down: None, not False
        def add(self, *args, **kwargs):
            return None

    monkeypatch.setattr(rec_services, "cache", Unreachable())
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    rec_services.recommendations_refresh_later(user_id=shopper.pk)
    assert [call[1] for call in calls] == [(shopper.pk,), (shopper.pk,)]
