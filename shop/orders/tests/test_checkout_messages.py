"""With a broker, a checkout hands its follow-up work (both e-mails, the notices, the recommendation
refresh) to Celery in one message; the worker's run of it does every piece as before."""

import pytest
from celery.signals import before_task_publish
from django.core import mail
from kombu import pools

from feedback.models import Notification
from shop.cart.tests.factories import ProductFactory
from shop.orders.tests.helpers import CHECKOUT_TASKS, assert_checkout_side_work_done, checkout, fill_cart
from skincare import deferred
from skincare.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    """A broker (kombu's in-memory transport): every message published, as (task name, kwargs)."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "memory://")
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    log = []

    def record(sender=None, body=None, **kwargs):
        log.append((sender, body[1]))

    before_task_publish.connect(record, weak=False)
    yield log
    before_task_publish.disconnect(record)
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_a_checkout_publishes_one_message_whose_run_sends_the_mails_and_notices(
    published, auth_client, user, django_capture_on_commit_callbacks, settings
):
    settings.DEFERRED_DRAIN_SECONDS = 0  # one message per checkout (the drain's case: below)
    fill_cart(user, (ProductFactory(stock_quantity=5), 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)
    assert response.status_code == 201, response.json()
    number = response.json()["data"]["order_number"]

    assert [name for name, _ in published] == ["skincare.deferred_run"]
    tasks = published[0][1]["tasks"]
    assert sorted(task[0] for task in tasks) == CHECKOUT_TASKS
    assert mail.outbox == [] and not Notification.objects.exists()  # nothing ran in the request

    published.clear()
    deferred.deferred_run(tasks=tasks)  # what the worker does with the message

    assert_checkout_side_work_done(user, number)
    # the refresh waits its coalescing delay: sent on its own by the worker, not run; the notices'
    # push delivery runs inside the notices task (feedback/tests/test_order_notices.py), no message
    assert [name for name, _ in published] == ["ml.recommendations_refresh"]


def test_with_the_drain_a_checkout_writes_one_row_and_its_drain_sends_the_mails_and_notices(
    published, auth_client, user, django_capture_on_commit_callbacks, settings, monkeypatch
):
    from skincare.models import DeferredBatch

    settings.DEFERRED_DRAIN_SECONDS = 1.0
    monkeypatch.setattr(deferred, "_drain_due", 0.0)
    fill_cart(user, (ProductFactory(stock_quantity=5), 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)
    assert response.status_code == 201, response.json()
    number = response.json()["data"]["order_number"]

    assert [name for name, _ in published] == ["skincare.deferred_drain"]  # the window's drain, no tasks in it
    [row] = DeferredBatch.objects.all()
    assert sorted(task[0] for task in row.tasks) == CHECKOUT_TASKS
    assert mail.outbox == [] and not Notification.objects.exists()

    published.clear()
    assert deferred.deferred_drain() == 1  # what the worker does with the drain's message

    assert_checkout_side_work_done(user, number)
    assert [name for name, _ in published] == ["ml.recommendations_refresh"]
    assert not DeferredBatch.objects.exists()
