"""Checkout while the Celery broker is down: the order is taken and answered 201, and the tasks it queues
(the confirmation e-mail, notifications) wait in the outbox until the broker is back (skincare/outbox.py)."""

import pytest
from kombu import pools

from shop.cart.tests.factories import ProductFactory
from shop.orders.models import Order
from shop.orders.tests.helpers import CHECKOUT_TASKS, checkout, fill_cart
from skincare.celery import app
from skincare.models import PendingTask
from skincare.outbox import outbox_flush

pytestmark = pytest.mark.django_db


def _use_broker(monkeypatch, url):
    monkeypatch.setitem(app.conf, "broker_url", url)
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    _use_broker(monkeypatch, "amqp://guest:guest@127.0.0.1:1//")  # nothing listens on port 1
    yield lambda: _use_broker(monkeypatch, "memory://")
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_checkout_with_the_broker_down_sells_and_keeps_its_tasks(
    broker_down, auth_client, user, django_capture_on_commit_callbacks, settings
):
    settings.DEFERRED_DRAIN_SECONDS = 0  # one message per checkout (the drain's case: below)
    product = ProductFactory(stock_quantity=5)
    fill_cart(user, (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)
    assert response.status_code == 201, response.json()
    order = Order.objects.get(order_number=response.json()["data"]["order_number"])
    assert order.user == user
    product.refresh_from_db()
    assert product.stock_quantity == 3
    kept = list(PendingTask.objects.order_by("pk"))
    # the checkout's tasks leave as one message (skincare.deferred.publish), kept whole
    assert [row.name for row in kept] == ["skincare.deferred_run"]
    assert sorted(task[0] for task in kept[0].kwargs["tasks"]) == CHECKOUT_TASKS

    broker_back = broker_down
    broker_back()
    assert outbox_flush() == {"published": len(kept), "left": 0}
    assert not PendingTask.objects.exists()


def test_with_the_drain_a_checkout_with_the_broker_down_keeps_its_tasks_in_its_row(
    broker_down, auth_client, user, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """The checkout's tasks are a ``DeferredBatch`` row whatever the broker does; the drain's trigger waits in
    the outbox; once the broker is back it leaves, and its drain runs the row (the refresh, with its countdown,
    sent on as a message)."""
    from django.core import mail

    from feedback.models import Notification
    from skincare import deferred
    from skincare.models import DeferredBatch

    settings.DEFERRED_DRAIN_SECONDS = 1.0
    monkeypatch.setattr(deferred, "_drain_due", 0.0)
    fill_cart(user, (ProductFactory(stock_quantity=5), 2))
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)
    assert response.status_code == 201, response.json()

    [row] = DeferredBatch.objects.all()
    assert sorted(task[0] for task in row.tasks) == CHECKOUT_TASKS
    assert [task.name for task in PendingTask.objects.all()] == ["skincare.deferred_drain"]

    broker_down()  # back
    assert outbox_flush() == {"published": 1, "left": 0}
    assert deferred.deferred_drain() == 1  # what the drain's message runs
    assert not DeferredBatch.objects.exists()
    assert len(mail.outbox) == 1  # placed, saying the payment was received
    assert Notification.objects.filter(user=user).count() == 1
