"""System checks of the deployment that Django's own do not cover."""

from django.core.checks import Error, Tags, register
from django.db import connections


@register(Tags.database)
def database_encoding_is_utf8(app_configs, databases=None, **kwargs):
    """A PostgreSQL database made without a UTF-8 locale (``initdb`` under ``LANG=C``) is SQL_ASCII: psycopg then
    refuses every non-ASCII text (Khmer product names, an e-mail's "•") the moment it is written, long after
    the deploy looked fine. ``migrate`` runs this check, so such a database is refused before any table is made."""
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_encoding")
            encoding = cursor.fetchone()[0]
        if encoding.upper() != "UTF8":
            errors.append(
                Error(
                    f"The database {alias!r} is encoded {encoding}, not UTF8: non-ASCII text (Khmer) cannot be stored.",
                    hint="Create it with ENCODING 'UTF8' (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0, "
                    "or initdb --encoding=UTF8).",
                    id="skincare.E001",
                )
            )
    return errors
