"""Back up a PostgreSQL database, restore the backup into a scratch database and check that every table
has the same number of rows (docs/operations.md, "Backups").

    python tools/backup_restore_check.py postgres://postgres@127.0.0.1:5432/skincare --out /backups/skincare.dump

1. Opens a REPEATABLE READ transaction on the source, exports its snapshot and counts the rows of every
   table in it; ``pg_dump --snapshot`` then dumps exactly that snapshot, so the counts and the dump agree
   even while the shop keeps writing.
2. ``pg_dump -Fc`` (custom format: compressed, restorable table by table) to ``--out``.
3. Creates the scratch database (``<name>_restore_check``), ``pg_restore --exit-on-error`` into it,
   counts every table again and prints both counts side by side.
4. Drops the scratch database (``--keep`` keeps it). Exits 1 on any difference, missing table or
   restore error.

Needs ``pg_dump`` / ``pg_restore`` of the server's major version or newer, and psycopg (a project
requirement). The URL needs the rights to create a database.
"""

import argparse
import os
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

TABLES = """
select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname not like 'pg_toast%' order by 1, 2
"""


def with_database(url, name):
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def count_rows(cursor):
    cursor.execute(TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="source database, postgres://user@host:port/name")
    parser.add_argument("--out", help="dump file (default /tmp/<name>-<time>.dump)")
    parser.add_argument("--scratch", help="scratch database name (default <name>_restore_check)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--jobs", type=int, default=2, help="pg_restore parallel jobs")
    args = parser.parse_args(argv)

    source_name = urlparse(args.url).path.lstrip("/")
    scratch = args.scratch or f"{source_name}_restore_check"
    if scratch == source_name:
        sys.exit("the scratch database must not be the source")
    out = args.out or f"/tmp/{source_name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.dump"  # noqa: S108

    started = time.monotonic()
    with psycopg.connect(args.url) as source:
        source.execute("begin isolation level repeatable read read only")
        snapshot = source.execute("select pg_export_snapshot()").fetchone()[0]
        with source.cursor() as cursor:
            before = count_rows(cursor)
        print(f"source {source_name}: {len(before)} tables, {sum(before.values())} rows (snapshot {snapshot})")
        subprocess.run(  # noqa: S603 - our own argument list, no shell
            ["pg_dump", "-Fc", "--no-owner", "--snapshot", snapshot, "-f", out, "-d", args.url],  # noqa: S607
            check=True,
        )
        source.execute("commit")
    dumped = time.monotonic()
    size = f"{os.path.getsize(out) / 1e6:.1f} MB"
    print(f"pg_dump -Fc -> {out} ({size}) in {dumped - started:.1f} s")

    admin_url = with_database(args.url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(scratch)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(scratch)))
    scratch_url = with_database(args.url, scratch)
    status = 0
    try:
        subprocess.run(  # noqa: S603 - our own argument list, no shell
            ["pg_restore", "--no-owner", "--exit-on-error", "-j", str(args.jobs), "-d", scratch_url, out],  # noqa: S607
            check=True,
        )
        restored_at = time.monotonic()
        print(f"pg_restore -> {scratch} in {restored_at - dumped:.1f} s")
        with psycopg.connect(scratch_url) as restored, restored.cursor() as cursor:
            after = count_rows(cursor)
        width = max(len(name) for name in before | after)
        print(f"{'table':{width}} {'source':>10} {'restored':>10}")
        for name in sorted(before | after):
            mark = "" if before.get(name) == after.get(name) else "  <-- MISMATCH"
            if mark:
                status = 1
            print(f"{name:{width}} {before.get(name, '-')!s:>10} {after.get(name, '-')!s:>10}{mark}")
        same = sum(1 for name in before if before[name] == after.get(name))
        print(
            f"{same}/{len(before | after)} tables match, {sum(before.values())} rows in the source, "
            f"{sum(after.values())} restored: {'OK' if status == 0 else 'FAILED'}"
        )
    except subprocess.CalledProcessError as exc:
        print(f"restore failed: {exc}")
        status = 1
    finally:
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(scratch)))
    return status


if __name__ == "__main__":
    sys.exit(main())
