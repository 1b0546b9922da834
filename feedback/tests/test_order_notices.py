"""A checkout's notices (placed, payment received, confirmed) reach the shopper as before, written by
one task in one INSERT, with one read of the shopper's preferences and push devices."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import push, tasks
from feedback.models import Notification, PushDevice
from feedback.push import PushResult
from shop.cart.tests.factories import ProductFactory
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db


class RecordingPush(push.PushBackend):
    def __init__(self, invalid=()):
        self.sent, self.invalid = [], set(invalid)

    def send(self, *, tokens, title, body, data=None):
        self.sent.append((title, list(tokens)))
        bad = [token for token in tokens if token in self.invalid]
        return PushResult(delivered=len(tokens) - len(bad), invalid_tokens=bad)


def _statements(queries, prefix):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(prefix)]


def test_a_checkouts_notices_are_one_task_one_insert_and_listed_as_before(auth_client, user, monkeypatch):
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))
    queued = []
    delay = tasks.order_notices.delay
    monkeypatch.setattr(tasks.order_notices, "delay", lambda **kwargs: queued.append(kwargs) or delay(**kwargs))

    with CaptureQueriesContext(connection) as queries:
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    number = response.json()["data"]["order_number"]
    assert len(queued) == 1 and len(queued[0]["notices"]) == 3
    assert len(_statements(queries, 'INSERT INTO "feedback_notification"')) == 1
    assert len(_statements(queries, 'SELECT "feedback_notificationpreference"')) == 1
    listed = auth_client.get("/api/v1/notifications").json()["data"]
    assert [n["title"] for n in listed] == [  # newest first, in the order the events were sent
        f"Payment received for {number}",
        f"Order {number} confirmed",
        f"Order {number} placed",
    ]
    notes = list(Notification.objects.filter(user=user).order_by("pk"))
    assert {(n.type, n.related_type, n.related_key, n.action_url) for n in notes} == {
        ("order_update", "order", number, f"/orders/{number}")
    }
    assert [n.related_id for n in notes] == [int(notes[0].related_id)] * 3


def test_a_checkouts_notices_are_pushed_with_one_device_read(auth_client, user, monkeypatch):
    PushDevice.objects.create(user=user, token="phone", platform="ios")
    PushDevice.objects.create(user=user, token="gone", platform="android")
    backend = RecordingPush(invalid={"gone"})
    monkeypatch.setattr(push, "push_backend", lambda: backend)
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))

    with CaptureQueriesContext(connection) as queries:
        response = checkout(auth_client, user)

    number = response.json()["data"]["order_number"]
    assert len(_statements(queries, 'SELECT "feedback_pushdevice"')) == 1
    # The refused token is switched off at the first push and not used for the next notices.
    assert [tokens for _, tokens in backend.sent] == [["gone", "phone"], ["phone"], ["phone"]]
    assert sorted(title for title, _ in backend.sent) == sorted(
        [f"Order {number} placed", f"Payment received for {number}", f"Order {number} confirmed"]
    )
    assert not PushDevice.objects.get(token="gone").is_active
    assert Notification.objects.filter(user=user, push_sent=True).count() == 3


def test_an_order_event_outside_a_checkout_still_makes_its_notice_at_once(user):
    from shop.orders.models import Order
    from skincare import events

    order = Order.objects.create(
        order_number="SK-2612-SOLO0001", user=user, customer_email=user.email, currency="USD", subtotal=10, total=10
    )
    events.order_status_changed.send(sender=Order, order=order, old_status="confirmed", new_status="shipped", by=None)
    assert list(Notification.objects.filter(user=user).values_list("title", flat=True)) == [
        "Order SK-2612-SOLO0001 shipped"
    ]


def _notice(user, title):
    return {
        "user_id": user.pk,
        "order_id": 7,
        "order_number": "SK-7",
        "title": title,
        "message": "m",
        "priority": "normal",
    }


def test_the_notices_task_pushes_them_itself_without_a_delivery_message(user, monkeypatch):
    PushDevice.objects.create(user=user, token="phone", platform="ios")
    backend = RecordingPush()
    monkeypatch.setattr(push, "push_backend", lambda: backend)
    queued = []
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda **kwargs: queued.append(kwargs))

    tasks.order_notices(notices=[_notice(user, "placed"), _notice(user, "paid")])

    assert queued == []
    assert backend.sent == [("placed", ["phone"]), ("paid", ["phone"])]
    assert Notification.objects.filter(user=user, push_sent=True).count() == 2


def test_the_notices_task_e_mails_them_itself_when_wanted(user, monkeypatch):
    from django.core import mail

    from feedback.models import NotificationPreference

    NotificationPreference.objects.create(user=user, type_settings={"order_update": {"email": True, "push": False}})
    queued = []
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda **kwargs: queued.append(kwargs))

    tasks.order_notices(notices=[_notice(user, "Order SK-7 placed")])

    assert queued == []
    assert [(m.to, m.subject) for m in mail.outbox] == [([user.email], mail.outbox[0].subject)]
    assert "Order SK-7 placed" in mail.outbox[0].subject + mail.outbox[0].body
    assert Notification.objects.get(user=user).email_sent


def test_a_failed_delivery_in_the_notices_task_is_queued_to_retry_as_before(user, monkeypatch):
    PushDevice.objects.create(user=user, token="phone", platform="ios")

    class Down(push.PushBackend):
        def send(self, *, tokens, title, body, data=None):
            raise OSError("push service down")

    monkeypatch.setattr(push, "push_backend", lambda: Down())
    queued = []
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda **kwargs: queued.append(kwargs))

    tasks.order_notices(notices=[_notice(user, "placed"), _notice(user, "paid")])

    notes = list(Notification.objects.filter(user=user).order_by("pk"))
    assert len(notes) == 2 and not any(n.push_sent for n in notes)  # written once, not pushed
    assert queued == [{"ids": [n.pk for n in notes]}]


@pytest.mark.parametrize("prepared", [False, True])
def test_the_notices_task_reads_preferences_and_devices_as_the_querysets_do(user, monkeypatch, settings, prepared):
    """The notices task's two reads (``DB_PREPARED_STATEMENTS``: prepared once per PostgreSQL connection) give
    each shopper's saved channels (per type, and switched off as a whole) and only their active devices, most
    recently seen first, in one statement each; on SQLite and without the setting, the ORM's querysets."""
    from datetime import timedelta

    from django.utils import timezone

    from feedback.models import NotificationPreference
    from shop.accounts.tests.factories import UserFactory

    settings.DB_PREPARED_STATEMENTS = prepared
    muted, mailed, plain = user, UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=muted, push_enabled=False)
    NotificationPreference.objects.create(user=mailed, type_settings={"order_update": {"email": True, "push": True}})
    now = timezone.now()
    for owner, token, seen, active in (
        (mailed, "old", now - timedelta(days=2), True),
        (mailed, "new", now, True),
        (mailed, "off", now, False),
        (plain, "plain", now, True),
        (muted, "muted", now, True),
    ):
        device = PushDevice.objects.create(user=owner, token=token, is_active=active)
        PushDevice.objects.filter(pk=device.pk).update(last_seen_at=seen)
    backend = RecordingPush()
    monkeypatch.setattr(push, "push_backend", lambda: backend)

    with CaptureQueriesContext(connection) as queries:
        tasks.order_notices(
            notices=[_notice(muted, "to muted"), _notice(mailed, "to mailed"), _notice(plain, "to plain")]
        )

    wanted = {n.title: (n.email_wanted, n.push_wanted, n.push_sent) for n in Notification.objects.all()}
    assert wanted == {
        "to muted": (False, False, False),
        "to mailed": (True, True, True),
        "to plain": (False, True, True),
    }
    assert sorted(backend.sent) == [("to mailed", ["new", "old"]), ("to plain", ["plain"])]
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(('SELECT "feedback_pushdevice"', 'SELECT "feedback_notificationpreference"', "EXECUTE"))
    ]
    executes = [sql for sql in reads if sql.startswith("EXECUTE feedback_")]
    assert len(reads) == 2 and len(executes) == (2 if prepared and connection.vendor == "postgresql" else 0)
