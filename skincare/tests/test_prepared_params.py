"""``Prepared.run`` quotes its parameters itself (``Prepared.execute_sql``), lists as the text of array literals:
the server must read the same values as from psycopg's own client-side binding of the same Python values."""

import datetime
import decimal
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg.types.json import Jsonb

from shop.orders.models import OrderStatus
from skincare.prepared import Prepared

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)

# (declared type, a value): lists of each element type ``_array`` writes, and of types it leaves to psycopg
PARAMS = [
    ("bigint[]", [1, -2, None, 2**40]),
    ("text[]", ["a b", 'q"uo\\te', "", "NULL", None, "ünï{,}'", " lead ", "tab\tnew\nline", "%s %(x)s"]),
    ("varchar(20)[]", [OrderStatus.PENDING, "x"]),
    ("numeric(10,2)[]", [decimal.Decimal("1.50"), decimal.Decimal("-0"), None]),
    ("timestamptz[]", [NOW, NOW.astimezone(ZoneInfo("Asia/Phnom_Penh")), None]),
    ("date[]", [datetime.date(2026, 1, 2)]),
    ("boolean[]", [True, False, None]),
    ("uuid[]", [uuid.UUID("12345678-1234-5678-1234-567812345678")]),
    ("jsonb[]", [Jsonb({"a": 'x"\\y', "b": [1, None]}, dumps=json.dumps), Jsonb([]), None]),
    ("text[]", []),
    ("double precision[]", [1.5, float("inf")]),  # not a type of ``_array``: psycopg's quoting
    ("numeric[]", [decimal.Decimal("-Infinity"), decimal.Decimal("2")]),  # not finite: psycopg's quoting
    ("interval[]", [datetime.timedelta(days=1, seconds=2)]),  # psycopg's quoting
    ("text", "it's \\ %s"),
    ("bigint", None),
    ("timestamptz", NOW),
    ("jsonb", Jsonb({"k": "v"})),
]


def test_a_prepared_statement_reads_its_parameters_as_psycopg_would_bind_them():
    types = [type_ for type_, _ in PARAMS]
    values = [value for _, value in PARAMS]
    statement = Prepared("test_params", "SELECT " + ", ".join(f"${i}" for i in range(1, len(types) + 1)), types)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"%s::{type_}" for type_ in types), values)
        expected = cursor.fetchone()
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        statement.run(cursor, values)
        assert cursor.fetchone() == expected
    assert len(queries.captured_queries) == 1  # counted and logged as a statement of its own
    assert queries.captured_queries[0]["sql"].startswith(f"EXECUTE {statement.name}('{{1,-2,NULL,1099511627776}}', ")
