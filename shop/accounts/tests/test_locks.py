"""On PostgreSQL the user lock (addresses, tokens, file uploads) is ``FOR UPDATE OF`` the user table only."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shop.accounts.lock_objects import user_lock

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE OF is PostgreSQL SQL"),
]


def locked_tables(func):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        func()
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    return [re.search(r"FOR UPDATE OF (.+)$", sql).group(1) for sql in locks]


def test_user_lock_locks_only_the_user_row(user):
    assert locked_tables(lambda: user_lock(user_id=user.pk, email=user.email, is_active=True)) == ['"accounts_user"']
