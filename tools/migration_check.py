"""Zero-downtime check of migrations (docs/operations.md, "Migrations without downtime").

During a rolling deploy the previous release's code runs against the migrated schema, so a migration
may only *expand* the schema; removing or renaming comes in a later release (*contract*), once no running
code uses the old shape. This reads the migrations added since a git revision and flags each operation
the old code cannot live with:

- ``RemoveField``, ``DeleteModel``, ``RenameField``, ``RenameModel``, ``AlterModelTable``: old code still
  reads or writes the old name (contract step: ship the code change first, the migration a release later);
- ``AddField`` of a NOT NULL column without ``db_default`` to a table the previous release already had: old
  code inserts rows without it and fails (use ``null=True`` or ``db_default``);
- ``AlterField``: type or constraint changes rewrite or lock the table; review each one;
- ``RunSQL`` / ``RunPython``: reviewed by hand (data migrations must work with both releases' code).

    python tools/migration_check.py 08950a3        # migrations added since that commit
    python tools/migration_check.py --all           # every migration in the project (an audit)
    python tools/migration_check.py --gate          # CI: every migration, refused unless baselined

Exit status 1 when anything is flagged and ``--strict`` is given; 0 otherwise.

``--gate`` (run by ``make lint``) checks every migration and exits 1 on any contract or unsafe expand
finding that is not in the baseline (``tools/migration_baseline.txt``: findings of migrations that were
applied long ago and are never rewritten, each with its reason), and on a baseline entry that no longer
matches a finding (so the baseline only ever lists what it excuses). Without a revision to compare with,
a table counts as new only for operations in the migration that creates it (or, for an app's split
initial migrations, in any of its ``initial`` migrations): adding a NOT NULL column in a later migration
is refused even when both migrations ship in one release. Fold such a field into the ``CreateModel``, or
give it a ``db_default``.
"""

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "migration_baseline.txt"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.db import migrations  # noqa: E402
from django.db.models import NOT_PROVIDED  # noqa: E402

CONTRACT = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)
REVIEW = (migrations.AlterField, migrations.RunSQL, migrations.RunPython)
GATED = ("contract", "expand")


def migration_files(since, root=ROOT):
    if since is None:
        return sorted(p for p in root.glob("**/migrations/[0-9]*.py") if ".venv" not in p.relative_to(root).parts)
    out = subprocess.run(  # noqa: S603 - fixed git arguments
        ["git", "diff", "--name-only", "--diff-filter=A", since, "--", "*/migrations/[0-9]*.py"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(root / name for name in out)


def _module(path, root=ROOT):
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))


def _package(module):
    return module.__name__.split(".migrations")[0]


def created_models(files, root=ROOT):
    """Tables created by the checked migrations: no previous release uses them, so adding to them is safe."""
    return {
        (_package(_module(path, root)), operation.name.lower())
        for path in files
        for operation in _module(path, root).Migration.operations
        if isinstance(operation, migrations.CreateModel)
    }


def new_tables_per_migration(files, root=ROOT):
    """Without a previous release to compare with: for each migration, the tables it may add NOT NULL
    columns to, i.e. those it creates itself, plus, in an ``initial`` migration, those its app's other
    ``initial`` migrations create (makemigrations splits an app's first migration when foreign keys
    between apps form a cycle; the app ships whole)."""
    created, initial = {}, {}
    for path in files:
        module = _module(path, root)
        package = _package(module)
        tables = {
            (package, operation.name.lower())
            for operation in module.Migration.operations
            if isinstance(operation, migrations.CreateModel)
        }
        created[path] = tables
        if getattr(module.Migration, "initial", False):
            initial.setdefault(package, set()).update(tables)
    out = {}
    for path in files:
        module = _module(path, root)
        out[path] = created[path]
        if getattr(module.Migration, "initial", False):
            out[path] = out[path] | initial[_package(module)]
    return out


def findings(path, new_tables=frozenset(), root=ROOT):
    module = _module(path, root)
    package = _package(module)
    for operation in module.Migration.operations:
        name = type(operation).__name__
        if isinstance(operation, CONTRACT):
            yield "contract", f"{name} {operation.describe()}", "old code still uses the old shape"
        elif isinstance(operation, migrations.AddField):
            if (package, operation.model_name.lower()) in new_tables:
                continue
            field = operation.field
            no_db_default = getattr(field, "db_default", NOT_PROVIDED) is NOT_PROVIDED
            if not field.null and no_db_default and not field.many_to_many:
                yield (
                    "expand",
                    f"AddField {operation.model_name.lower()}.{operation.name}",
                    "is NOT NULL without db_default: inserts by the previous release fail",
                )
        elif isinstance(operation, REVIEW):
            yield "review", f"{name} {operation.describe()}", ""


def read_baseline(path):
    """``<migration path>: <operation>`` lines; ``#`` starts a comment (the reasons)."""
    entries = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            file, _, operation = line.partition(": ")
            entries.add((file.strip(), operation.strip()))
    return entries


def check(files, *, since, root=ROOT):
    """Every finding as ``(kind, relative path, operation, why)``."""
    if since is None:
        per_migration = new_tables_per_migration(files, root)
    else:
        everywhere = created_models(files, root)
    out = []
    for path in files:
        new_tables = per_migration[path] if since is None else everywhere
        for kind, operation, why in findings(path, new_tables, root):
            out.append((kind, path.relative_to(root).as_posix(), operation, why))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("since", nargs="?", help="git revision: check migrations added after it")
    parser.add_argument("--all", action="store_true", help="check every migration")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any contract or expand finding")
    parser.add_argument(
        "--gate", action="store_true", help="check every migration; exit 1 on a finding not in the baseline"
    )
    parser.add_argument("--baseline", default=str(BASELINE), help="baseline file for --gate")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --gate: list baselined and review findings")
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)  # tests: another project tree
    args = parser.parse_args(argv)
    if not (args.all or args.gate) and not args.since:
        parser.error("give a git revision, --all or --gate")
    root = Path(args.root).resolve()
    since = None if (args.all or args.gate) else args.since
    files = migration_files(since, root)
    found = check(files, since=since, root=root)
    baseline = read_baseline(args.baseline) if args.gate else set()
    counts = {"contract": 0, "expand": 0, "review": 0, "baselined": 0}
    refused = []
    for kind, file, operation, why in found:
        if kind in GATED and (file, operation) in baseline:
            counts["baselined"] += 1
            label = "baseline"
        else:
            counts[kind] += 1
            label = kind
            if kind in GATED:
                refused.append((file, operation))
        if not args.gate or label in GATED or args.verbose:
            print(f"{label:8} {file}: {operation}" + (f" {why}" if why else ""))
    stale = sorted(baseline - {(file, operation) for kind, file, operation, _ in found if kind in GATED})
    for file, operation in stale:
        print(f"stale    {args.baseline}: {file}: {operation} is no longer found; remove it from the baseline")
    print(
        f"{len(files)} migrations checked: {counts['contract']} contract, {counts['expand']} unsafe expand, "
        f"{counts['review']} to review" + (f", {counts['baselined']} in the baseline" if args.gate else "")
    )
    if args.gate:
        if refused or stale:
            print(
                "migration gate: refused. Make the migration safe for a rolling deploy (docs/operations.md, "
                '"Migrations without downtime"); baseline only findings of migrations already applied in production.'
            )
            return 1
        print("migration gate: passed")
        return 0
    return 1 if args.strict and refused else 0


if __name__ == "__main__":
    sys.exit(main())
