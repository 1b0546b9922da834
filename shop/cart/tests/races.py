"""What the cart's threaded race tests share (``test_add_races``, ``test_merge_races``): PostgreSQL only,
each thread on its own connection, and the paths they send to."""

import pytest
from django.db import connection

PG_RACE_MARKS = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises every write)"
    ),
]

CART = "/api/v1/cart"
ITEMS = "/api/v1/cart/items"
