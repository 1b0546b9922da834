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

Exit status 1 when anything is flagged and ``--strict`` is given (CI can opt in); 0 otherwise.
"""

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def migration_files(since):
    if since is None:
        return sorted(p for p in ROOT.glob("**/migrations/[0-9]*.py") if ".venv" not in p.parts)
    out = subprocess.run(  # noqa: S603 - fixed git arguments
        ["git", "diff", "--name-only", "--diff-filter=A", since, "--", "*/migrations/[0-9]*.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(ROOT / name for name in out)


def _module(path):
    return importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def created_models(files):
    """Tables created by the checked migrations: no previous release uses them, so adding to them is safe."""
    return {
        (_module(path).__name__.split(".migrations")[0], operation.name.lower())
        for path in files
        for operation in _module(path).Migration.operations
        if isinstance(operation, migrations.CreateModel)
    }


def findings(path, new_tables=frozenset()):
    module = _module(path)
    package = module.__name__.split(".migrations")[0]
    for operation in module.Migration.operations:
        name = type(operation).__name__
        if isinstance(operation, CONTRACT):
            yield "contract", f"{name} {operation.describe()}: old code still uses the old shape"
        elif isinstance(operation, migrations.AddField):
            if (package, operation.model_name.lower()) in new_tables:
                continue
            field = operation.field
            no_db_default = getattr(field, "db_default", NOT_PROVIDED) is NOT_PROVIDED
            if not field.null and no_db_default and not field.many_to_many:
                yield (
                    "expand",
                    (
                        f"AddField {operation.model_name}.{operation.name} is NOT NULL without db_default: "
                        "inserts by the previous release fail"
                    ),
                )
        elif isinstance(operation, REVIEW):
            yield "review", f"{name} {operation.describe()}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("since", nargs="?", help="git revision: check migrations added after it")
    parser.add_argument("--all", action="store_true", help="check every migration")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any contract or expand finding")
    args = parser.parse_args(argv)
    if not args.all and not args.since:
        parser.error("give a git revision or --all")
    files = migration_files(None if args.all else args.since)
    counts = {"contract": 0, "expand": 0, "review": 0}
    new_tables = created_models(files)
    for path in files:
        for kind, text in findings(path, new_tables):
            counts[kind] += 1
            print(f"{kind:8} {path.relative_to(ROOT)}: {text}")
    print(
        f"{len(files)} migrations checked: {counts['contract']} contract, {counts['expand']} unsafe expand, "
        f"{counts['review']} to review"
    )
    return 1 if args.strict and (counts["contract"] or counts["expand"]) else 0


if __name__ == "__main__":
    sys.exit(main())
