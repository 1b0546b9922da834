"""Every row lock lives in its app's ``lock_objects.py`` and locks only that app's own rows.

Reads the source as text (no import of the apps above ``skincare``). ``shop/orders`` and ``shop/cart``
keep their own locks (their ``lock_objects.py`` follow the same rule) and are left to their owners here.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    *("reviews", "feedback", "shop/accounts", "shop/catalog", "shop/coupons", "shop/files", "shop/wishlist"),
    *("shop/subscriptions", "ml/goals"),
]
OWN_ROWS = 'select_for_update(of=("self",))'
SINGLE_ROW = re.compile(r"\.get\(|\.get_or_create\(")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path


def test_locks_only_in_lock_objects_and_only_own_rows():
    outside, not_self = [], []
    for path in _sources():
        text = path.read_text()
        for match in re.finditer(r"select_for_update\(", text):
            where = str(path.relative_to(ROOT))
            if path.name != "lock_objects.py":
                outside.append(where)
            if not text.startswith(OWN_ROWS, match.start()):
                not_self.append(f"{where}: {text[match.start() : match.start() + 40]}")
    assert outside == []
    assert not_self == []


def test_every_lock_of_several_rows_is_taken_in_pk_order():
    unordered = []
    for path in _sources():
        if path.name != "lock_objects.py":
            continue
        for function in re.split(r"\ndef ", path.read_text())[1:]:
            several = "select_for_update" in function and not SINGLE_ROW.search(function)
            if several and '.order_by("pk")' not in function:
                unordered.append(f"{path.relative_to(ROOT)}: {function.split('(')[0]}")
    assert unordered == []
