"""On PostgreSQL the feedback locks are ``FOR UPDATE OF`` their own table only."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from feedback import lock_objects
from feedback.models import ModerationItem

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE OF is PostgreSQL SQL"),
]


def locked_tables(func):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        func()
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    return [re.search(r"FOR UPDATE OF (.+)$", sql).group(1) for sql in locks]


def test_feedback_locks_only_its_own_tables(user):
    item = ModerationItem.objects.create(content_type="review", content_id=1, user=user)

    assert locked_tables(lambda: lock_objects.moderation_item_lock(item_id=item.pk)) == ['"feedback_moderationitem"']
    assert locked_tables(lambda: lock_objects.moderation_item_lock(content_type="review", content_id=1)) == [
        '"feedback_moderationitem"'
    ]
    assert locked_tables(lambda: lock_objects.notification_preference_lock(user=user)) == [
        '"feedback_notificationpreference"'
    ]
    assert locked_tables(lambda: lock_objects.push_device_lock(token="t")) == ['"feedback_pushdevice"']
