"""A checkout's notices (placed, payment received, confirmed) reach the shopper as one notice, written by
one task in one INSERT, with one read of the shopper's preferences and push devices; the notices of several
checkouts (a drain's) in one INSERT too."""

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

DECLINED_CARD = "4000000000000002"  # the test card provider declines it


@pytest.fixture(autouse=True)
def orm_statements(settings):
    """These tests count the ORM's statements by their text; with ``DB_CONN_MAX_AGE`` set,
    ``DB_PREPARED_STATEMENTS`` defaults on and the same statements run as ``EXECUTE``s. The tests
    that compare both paths set it themselves."""
    settings.DB_PREPARED_STATEMENTS = False


class RecordingPush(push.PushBackend):
    def __init__(self, invalid=()):
        self.sent, self.invalid = [], set(invalid)

    def send(self, *, tokens, title, body, data=None):
        self.sent.append((title, list(tokens)))
        bad = [token for token in tokens if token in self.invalid]
        return PushResult(delivered=len(tokens) - len(bad), invalid_tokens=bad)


def _statements(queries, prefix):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(prefix)]


def test_a_card_checkout_is_one_notice_placed_and_paid_written_by_one_task(auth_client, user, monkeypatch):
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))
    queued = []
    delay = tasks.order_notices.delay
    monkeypatch.setattr(tasks.order_notices, "delay", lambda **kwargs: queued.append(kwargs) or delay(**kwargs))

    with CaptureQueriesContext(connection) as queries:
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    number = response.json()["data"]["order_number"]
    # placed, paid and confirmed in one operation: told once, not three times within the same second
    assert len(queued) == 1 and len(queued[0]["notices"]) == 1
    assert len(_statements(queries, 'INSERT INTO "feedback_notification"')) == 1
    assert len(_statements(queries, 'SELECT "feedback_notificationpreference"')) == 1
    listed = auth_client.get("/api/v1/notifications").json()["data"]
    assert [(n["title"], n["message"]) for n in listed] == [
        (f"Order {number} placed and paid", f"Thank you! We received your order {number} and your payment.")
    ]
    [note] = Notification.objects.filter(user=user)
    assert (note.type, note.related_type, note.related_key, note.action_url) == (
        "order_update",
        "order",
        number,
        f"/orders/{number}",
    )


@pytest.mark.parametrize(
    ("payment", "title", "message"),
    [
        (
            {"payment_method": "cash_on_delivery"},
            "Order {} confirmed",
            "Thank you! We received and confirmed your order {}.",
        ),
        ({"card_number": DECLINED_CARD}, "Order {} placed", "Thank you! We received your order {}."),
    ],
    ids=["cash-on-delivery", "card-declined"],
)
def test_a_checkout_not_paid_at_once_is_one_notice_of_what_happened(auth_client, user, payment, title, message):
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))

    response = checkout(auth_client, user, **payment)

    assert response.status_code == 201, response.json()
    number = response.json()["data"]["order_number"]
    assert list(Notification.objects.filter(user=user).values_list("title", "message")) == [
        (title.format(number), message.format(number))
    ]


def test_a_payment_after_the_checkout_is_its_own_notice(auth_client, user):
    """A card declined at checkout and paid later: the payment and the confirmation are told then."""
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))
    number = checkout(auth_client, user, card_number=DECLINED_CARD).json()["data"]["order_number"]

    response = auth_client.post(
        f"/api/v1/orders/{number}/pay", {"payment_method": "card", "card_number": "4242424242424242"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["payment_status"] == "paid"
    assert sorted(Notification.objects.filter(user=user).values_list("title", flat=True)) == sorted(
        [f"Order {number} placed", f"Payment received for {number}", f"Order {number} confirmed"]
    )


def test_a_checkouts_notice_is_pushed_and_a_refused_token_switched_off(auth_client, user, monkeypatch):
    PushDevice.objects.create(user=user, token="phone", platform="ios")
    PushDevice.objects.create(user=user, token="gone", platform="android")
    backend = RecordingPush(invalid={"gone"})
    monkeypatch.setattr(push, "push_backend", lambda: backend)
    fill_cart(user, (ProductFactory(price=Decimal("12.00")), 1))

    with CaptureQueriesContext(connection) as queries:
        response = checkout(auth_client, user)

    number = response.json()["data"]["order_number"]
    assert len(_statements(queries, 'SELECT "feedback_pushdevice"')) == 1
    assert backend.sent == [(f"Order {number} placed and paid", ["gone", "phone"])]
    assert not PushDevice.objects.get(token="gone").is_active
    assert Notification.objects.filter(user=user, push_sent=True).count() == 1


def test_the_notices_task_reads_devices_once_and_skips_a_token_refused_by_an_earlier_notice(user, monkeypatch):
    PushDevice.objects.create(user=user, token="phone", platform="ios")
    PushDevice.objects.create(user=user, token="gone", platform="android")
    backend = RecordingPush(invalid={"gone"})
    monkeypatch.setattr(push, "push_backend", lambda: backend)

    with CaptureQueriesContext(connection) as queries:
        tasks.order_notices(notices=[_notice(user, "placed"), _notice(user, "shipped"), _notice(user, "delivered")])

    assert len(_statements(queries, 'SELECT "feedback_pushdevice"')) == 1
    assert [tokens for _, tokens in backend.sent] == [["gone", "phone"], ["phone"], ["phone"]]
    assert not PushDevice.objects.get(token="gone").is_active


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
        and not q["sql"].startswith("EXECUTE insert_feedback_notification")  # the write
    ]
    executes = [sql for sql in reads if sql.startswith("EXECUTE feedback_")]
    assert len(reads) == 2 and len(executes) == (2 if prepared and connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize("prepared", [False, True])
def test_several_notices_are_one_insert_with_the_models_values_and_drop_the_cached_lists(user, settings, prepared):
    """Several notices are one INSERT; with ``DB_PREPARED_STATEMENTS`` on PostgreSQL a prepared one (the
    worker's notices task: no ORM compile, no ``BEGIN`` / ``COMMIT`` around it). Either way the rows hold what
    was given and the model's defaults, the instances get their ids in order and the ``created_at`` written,
    and each user's cached notification list is dropped (as ``bulk_create`` of the notifications does)."""
    from django.core.cache import cache

    from feedback.services import notices_create
    from shop.accounts.tests.factories import UserFactory

    settings.DB_PREPARED_STATEMENTS = prepared
    other = UserFactory()
    for owner in (user, other):
        cache.set(f"userpages:notifications:v:{owner.pk}", "before")
    buttons = [{"label": "Track", "url": "/orders/SK-7"}]

    with CaptureQueriesContext(connection) as queries:
        created = notices_create(
            notices=[
                {"user": user.pk, "type": "order_update", "title": "placed", "message": "m", "related_id": 7},
                {"user": other, "type": "system", "title": "hello", "message": "n", "action_buttons": buttons},
                {"user": user, "type": "order_update", "title": "paid", "message": "o", "priority": "high"},
            ],
            deliver_here=True,
        )

    rows = list(
        Notification.objects.order_by("pk").values_list(
            "pk", "user_id", "type", "title", "message", "action_buttons", "thumbnail_url", "related_id", "priority",
            "is_read", "email_sent", "push_wanted", "created_at",
        )
    )  # fmt: skip
    assert rows == [
        (n.pk, n.user_id, n.type, n.title, n.message, n.action_buttons, "", n.related_id, n.priority, False, False,
         n.push_wanted, n.created_at)
        for n in created
    ]  # fmt: skip
    assert [(n.user_id, n.title, n.priority) for n in created] == [
        (user.pk, "placed", "normal"),
        (other.pk, "hello", "normal"),
        (user.pk, "paid", "high"),
    ]
    assert rows[1][5] == buttons and rows[0][7] == 7 and rows[1][7] is None
    assert [row[11] for row in rows] == [True, False, True]  # the preferences' defaults: push for order updates
    assert all(not n._state.adding for n in created)
    assert {cache.get(f"userpages:notifications:v:{owner.pk}") for owner in (user, other)} & {"before"} == set()
    inserts = [
        q["sql"] for q in queries.captured_queries if "feedback_notification" in q["sql"] or "EXECUTE" in q["sql"]
    ]
    inserts = [sql for sql in inserts if sql.startswith(("INSERT", "EXECUTE insert_feedback_notification"))]
    assert len(inserts) == 1
    assert inserts[0].startswith("EXECUTE" if prepared and connection.vendor == "postgresql" else "INSERT")


def test_with_a_drain_the_notices_of_several_checkouts_are_one_message_and_one_insert(auth_client, user, settings):
    """A broker (in memory) and the drain on: three checkouts send one drain message (the window's); the drain
    writes their three notices with one preferences read and one INSERT, and sends their three e-mails."""
    from django.core import mail
    from kombu import pools

    from skincare import deferred
    from skincare.celery import app
    from skincare.models import DeferredBatch

    settings.DEFERRED_DRAIN_SECONDS = 1.0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.conf, "task_always_eager", False)
        patch.setitem(app.conf, "broker_url", "memory://")
        patch.setattr(deferred, "_drain_due", 0.0)
        patch.setattr(deferred.deferred_drain, "apply_async", lambda **options: sent.append(options))
        numbers = []
        for price in ("12.00", "13.00", "14.00"):
            fill_cart(user, (ProductFactory(price=Decimal(price)), 1))
            response = checkout(auth_client, user)
            assert response.status_code == 201, response.json()
            numbers.append(response.json()["data"]["order_number"])
        assert not Notification.objects.exists() and mail.outbox == []
        assert DeferredBatch.objects.count() == 3 and sent == [{"countdown": 1.0}]

        with CaptureQueriesContext(connection) as queries:
            assert deferred.deferred_drain() == 3
        if app._pool is not None:
            app._pool.force_close_all()
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    assert len(_statements(queries, 'INSERT INTO "feedback_notification"')) == 1
    assert len(_statements(queries, 'SELECT "feedback_notificationpreference"')) == 1
    assert sorted(Notification.objects.values_list("related_key", flat=True)) == sorted(numbers)
    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"Order {number} received" for number in numbers
    )
    assert not DeferredBatch.objects.exists()
