"""The deployment checks of ``skincare.checks``."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from skincare.checks import database_encoding_is_utf8

ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server encoding")


@pytest.mark.django_db
def test_a_utf8_database_passes():
    assert database_encoding_is_utf8(None, databases=["default"]) == []


@on_postgresql
def test_migrate_refuses_an_sql_ascii_database_before_making_any_table():
    """What the compose trial's stand-in PostgreSQL (initdb without a locale) gave: every checkout whose e-mail
    held a non-ASCII character failed after its order was saved."""
    settings = connection.settings_dict
    server = {"host": settings["HOST"] or None, "port": settings["PORT"] or None, "user": settings["USER"]}
    name = f"skincare_ascii_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    try:
        url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode != 0
        assert "skincare.E001" in result.stderr and "encoded SQL_ASCII" in result.stderr
        with psycopg.connect(dbname=name, **server) as scratch:
            tables = scratch.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables == 0
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
