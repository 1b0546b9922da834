"""The cached notifications list (feedback.list_cache): a hit runs no SQL, and every write that changes
what the list shows (and the passing of an ``expires_at``) is reflected in the next answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Notification, NotificationType

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications"


def notify(user, title="Hello", type=NotificationType.REVIEW_APPROVED):
    return services.notification_create(user=user, type=type, title=title, message="Something happened")


def titles(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [(row["title"], row["is_read"]) for row in response.json()["data"]]


def test_a_cached_page_runs_no_sql_and_answers_the_same(auth_client, user, django_assert_num_queries):
    notify(user, "one")
    with django_assert_num_queries(1):
        first = auth_client.get(LIST)
    with django_assert_num_queries(0):
        second = auth_client.get(LIST)
    assert second.content == first.content and second["Content-Type"] == "application/json"
    assert second.json()["meta"] == {"page": 1, "per_page": 20, "total": 1, "total_pages": 1}
    with django_assert_num_queries(1):  # another filter is another page
        assert titles(auth_client, unread="false") == []


def test_new_read_dismissed_and_read_all_show_at_once(auth_client, user, other_user, django_assert_num_queries):
    first = notify(user, "first")
    assert titles(auth_client) == [("first", False)]
    assert titles(auth_client, unread="true") == [("first", False)]
    second = notify(user, "second")
    assert titles(auth_client) == [("second", False), ("first", False)]
    notify(other_user, "theirs")  # another user's change keeps my page
    with django_assert_num_queries(0):
        assert titles(auth_client) == [("second", False), ("first", False)]
    assert auth_client.put(f"{LIST}/{first.pk}/read").status_code == 200
    assert titles(auth_client) == [("second", False), ("first", True)]
    assert titles(auth_client, unread="true") == [("second", False)]
    assert auth_client.delete(f"{LIST}/{second.pk}").status_code == 204
    assert titles(auth_client) == [("first", True)]
    notify(user, "third")
    assert auth_client.put(f"{LIST}/read-all").json()["data"] == {"updated": 1}
    assert titles(auth_client) == [("third", True), ("first", True)]
    assert titles(auth_client, unread="true") == []


def test_bulk_notifications_show_for_each_user(auth_client, user, other_user):
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(other_user)
    assert titles(auth_client) == [] and titles(other) == []
    services.notifications_create(users=[user, other_user], type=NotificationType.COMMUNITY, title="All", message="m")
    assert titles(auth_client) == [("All", False)] and titles(other) == [("All", False)]


def test_delivery_bookkeeping_keeps_the_page(auth_client, user, django_assert_num_queries):
    note = notify(user)
    titles(auth_client)
    Notification.objects.filter(pk=note.pk).update(email_sent=True, email_sent_at=timezone.now())
    Notification.objects.filter(pk=note.pk).update(push_sent=True, push_sent_at=timezone.now())
    with django_assert_num_queries(0):
        titles(auth_client)


def test_queryset_writes_and_whole_row_saves_show_at_once(auth_client, user, other_user):
    note = notify(user, "mine")
    assert titles(auth_client) == [("mine", False)]
    Notification.objects.filter(pk=note.pk).update(title="renamed")
    assert titles(auth_client) == [("renamed", False)]
    note.refresh_from_db()
    note.user = other_user  # the admin's whole-row save: it leaves this user's list
    note.save()
    assert titles(auth_client) == []
    Notification.objects.filter(pk=note.pk).update(user=user)
    assert titles(auth_client) == [("renamed", False)]
    Notification.objects.filter(pk=note.pk).delete()
    assert titles(auth_client) == []
    again = notify(user, "again")
    assert titles(auth_client) == [("again", False)]
    again.delete()
    assert titles(auth_client) == []


def test_a_page_is_not_served_past_the_first_expiry_in_it(auth_client, user, monkeypatch):
    from skincare.api import user_pages

    now = timezone.now()
    notify(user, "lasting")
    expiring = notify(user, "expiring")
    Notification.objects.filter(pk=expiring.pk).update(expires_at=now + timedelta(minutes=5))
    assert titles(auth_client) == [("expiring", False), ("lasting", False)]
    later = now + timedelta(minutes=6)  # no write: only the clock moves past expires_at
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(user_pages, "_now", lambda: later.timestamp())
    assert titles(auth_client) == [("lasting", False)]


def test_delivery_bookkeeping_saved_through_the_model_keeps_the_page(auth_client, user, django_assert_num_queries):
    note = notify(user)
    titles(auth_client)
    note.email_sent, note.email_sent_at = True, timezone.now()
    note.save(update_fields=["email_sent", "email_sent_at"])
    note.push_sent = True
    Notification.objects.bulk_update([note], ["push_sent"])
    with django_assert_num_queries(0):
        titles(auth_client)


def test_a_queryset_delete_drops_every_users_pages(user, monkeypatch):
    """Besides the per-row ``post_delete`` receivers, a queryset delete replaces the scope's generation."""
    from skincare.api import user_pages

    notify(user)
    dropped = []
    monkeypatch.setattr(user_pages, "all_changed", dropped.append)
    Notification.objects.filter(user=user).delete()
    assert dropped == ["notifications"]


@pytest.mark.django_db(transaction=True)
def test_notices_written_outside_a_transaction_replace_the_users_version_once(auth_client, user, monkeypatch):
    """The order notices task runs in the worker in autocommit: its INSERT is committed when the version is
    replaced, so one replacement (one Redis write) drops the pages, with no second one "after the commit"."""
    from feedback.tasks import order_notices
    from skincare.api import user_pages

    assert titles(auth_client) == []  # a cached page
    replaced, replace = [], user_pages._replace
    monkeypatch.setattr(user_pages, "_replace", lambda keys, **kw: replaced.extend(keys) or replace(keys, **kw))
    order = {"user_id": user.pk, "order_id": 7, "order_number": "SK-7", "message": "...", "priority": "normal"}

    order_notices(notices=[{**order, "title": "placed"}, {**order, "title": "paid"}])

    assert replaced == [f"userpages:notifications:v:{user.pk}"]
    assert titles(auth_client) == [("paid", False), ("placed", False)]


@pytest.mark.django_db(transaction=True)
def test_the_notices_of_several_shoppers_replace_their_versions_in_one_round_trip(
    auth_client, user, other_user, monkeypatch
):
    """The worker's merged notices call (a drain's checkouts, in a transaction) replaces the versions of all its
    shoppers in one Redis round trip now and one after the commit, not one per shopper each time."""
    from django.db import transaction

    from feedback.tasks import order_notices
    from skincare.api import user_pages

    assert titles(auth_client) == []  # a cached page
    replaced, replace = [], user_pages._replace
    monkeypatch.setattr(user_pages, "_replace", lambda keys, **kw: replaced.append(list(keys)) or replace(keys, **kw))
    order = {"order_id": 7, "order_number": "SK-7", "message": "...", "priority": "normal"}

    with transaction.atomic():
        order_notices(
            notices=[
                {**order, "user_id": user.pk, "title": "placed"},
                {**order, "user_id": other_user.pk, "title": "placed"},
                {**order, "user_id": user.pk, "title": "paid"},
            ]
        )

    keys = [f"userpages:notifications:v:{user.pk}", f"userpages:notifications:v:{other_user.pk}"]
    assert [sorted(call) for call in replaced] == [sorted(keys)] * 2
    assert titles(auth_client) == [("paid", False), ("placed", False)]
