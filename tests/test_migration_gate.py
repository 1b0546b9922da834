"""The zero-downtime migration gate (``tools/migration_check.py --gate``, run by ``make lint``).

Each test writes a small project tree of migrations and runs the tool on it as CI does (a separate
process, ``--root`` pointing at the tree): a new unsafe migration is refused, a safe one passes, the
baseline excuses exactly what it lists. The last test runs the gate on this project as ``make lint`` does.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "migration_check.py"

INITIAL = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Widget",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=40)),
            ],
        ),
    ]
"""

ADD_FIELD = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.AddField(model_name="widget", name="colour", field=models.CharField({kwargs}))]
"""

REMOVE_FIELD = """
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RemoveField(model_name="widget", name="name")]
"""


def project(tmp_path, second=None, **format_args):
    """A tree with one app (named after the test, so imports never collide) and its migrations."""
    app = f"gate_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / "tree" / app / "migrations"
    folder.mkdir(parents=True)
    (folder.parent / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "0001_initial.py").write_text(INITIAL)
    if second:
        (folder / "0002_change.py").write_text(second.format(app=app, **format_args))
    return tmp_path / "tree", app


def gate(root, baseline_lines=()):
    baseline = root / "baseline.txt"
    baseline.write_text("# reasons\n" + "".join(f"{line}\n" for line in baseline_lines))
    result = subprocess.run(
        [sys.executable, str(TOOL), "--gate", "--root", str(root), "--baseline", str(baseline)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_a_new_not_null_column_without_db_default_is_refused(tmp_path):
    root, app = project(tmp_path, ADD_FIELD, kwargs="max_length=10, default='red'")

    code, output = gate(root)

    assert code == 1, output
    assert f"expand   {app}/migrations/0002_change.py: AddField widget.colour is NOT NULL without db_default" in output
    assert "migration gate: refused" in output


def test_a_removed_column_is_refused_as_a_contract_step(tmp_path):
    root, app = project(tmp_path, REMOVE_FIELD)

    code, output = gate(root)

    assert code == 1, output
    assert f"contract {app}/migrations/0002_change.py: RemoveField" in output


@pytest.mark.parametrize(
    "kwargs", ["max_length=10, db_default='red'", "max_length=10, null=True"], ids=["db_default", "nullable"]
)
def test_a_safe_new_column_passes(tmp_path, kwargs):
    root, _ = project(tmp_path, ADD_FIELD, kwargs=kwargs)

    code, output = gate(root)

    assert code == 0, output
    assert "0 contract, 0 unsafe expand" in output
    assert "migration gate: passed" in output


def test_a_column_in_the_migration_that_creates_the_table_passes(tmp_path):
    root, _ = project(tmp_path)

    assert gate(root)[0] == 0


def test_the_baseline_excuses_exactly_the_findings_it_lists(tmp_path):
    root, app = project(tmp_path, ADD_FIELD, kwargs="max_length=10, default='red'")
    entry = f"{app}/migrations/0002_change.py: AddField widget.colour"

    code, output = gate(root, [entry])
    assert code == 0, output
    assert "0 unsafe expand, 0 to review, 1 in the baseline" in output

    # An entry that matches nothing (the migration was made safe, or renamed) fails until removed.
    code, output = gate(root, [entry, f"{app}/migrations/0002_change.py: AddField widget.size"])
    assert code == 1, output
    assert "stale" in output and "AddField widget.size is no longer found" in output


def test_this_project_passes_the_gate_with_its_baseline():
    result = subprocess.run(
        [sys.executable, str(TOOL), "--gate"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "migration gate: passed" in result.stdout
