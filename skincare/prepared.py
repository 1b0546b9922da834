"""Hot statements prepared once per PostgreSQL connection (``DB_PREPARED_STATEMENTS``): the cart's reads
and locks, the order notices' reads in the worker.

Django binds parameters client side and prepares nothing, so PostgreSQL parses and plans every statement
on every run. The cart's statements join seven to nine tables: planning them cost the server more CPU
than running them. A statement prepared with ``PREPARE`` on a connection is parsed once, and after five
runs PostgreSQL keeps its generic plan (``plan_cache_mode = auto``) when it costs no more than the
custom ones; here each run looks rows up by primary or unique keys.

The ``PREPARE`` is sent on the connection itself, the first time a statement runs on it: it is part of
setting the connection up, like the time zone Django sets, and not a statement of the request (the query
counts stay those of the requests). Its name is made from its text, so that a name always means the
same statement. Prepared statements live as long as the connection and survive rollbacks; one dropped
behind our back (``DEALLOCATE``, ``DISCARD ALL``) is prepared again, outside a transaction.
"""

import hashlib
import weakref

from django.conf import settings
from django.db import ProgrammingError

# {psycopg connection: names of the statements prepared on it}
_PREPARED = weakref.WeakKeyDictionary()
_NOT_PREPARED = "26000"  # invalid_sql_statement_name: "prepared statement … does not exist"


def prepared_statements(connection):
    """Whether hot statements are prepared on ``connection`` (PostgreSQL and the setting)."""
    return connection.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS


class Prepared:
    """``sql`` (its parameters ``$1``, ``$2``… of ``types``), run as a prepared statement: ``run(cursor,
    params)`` executes ``EXECUTE name(%s, …)`` with Django's cursor (counted, logged, wrapped as any
    statement), after ``PREPARE`` on the cursor's connection when it has not been prepared there."""

    __slots__ = ("name", "prepare", "execute")

    def __init__(self, label, sql, types):
        digest = hashlib.sha1(f"{types} {sql}".encode(), usedforsecurity=False).hexdigest()[:16]
        self.name = f"{label}_{digest}"
        self.prepare = f"PREPARE {self.name}({', '.join(types)}) AS {sql}"
        self.execute = f"EXECUTE {self.name}({', '.join(['%s'] * len(types))})"

    def run(self, cursor, params):
        raw = cursor.db.connection
        names = _PREPARED.setdefault(raw, set())
        if self.name not in names:
            raw.execute(self.prepare)
            names.add(self.name)
        try:
            cursor.execute(self.execute, params)
        except ProgrammingError as error:
            if getattr(error.__cause__, "sqlstate", None) != _NOT_PREPARED or cursor.db.in_atomic_block:
                raise
            raw.execute(self.prepare)  # dropped behind our back: once more, then run it
            cursor.execute(self.execute, params)
