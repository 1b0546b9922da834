"""Per-user recommendation refresh (what the Celery task does after a purchase or a review):
scoring the user's current history against the nightly fit (the saved snapshot) against the full
fit on all the shop's data (the path without a snapshot, which was the only path before; it
also saves its fit), in the same run, for the same users, with the queries each one runs.

Run on a database with the demo shop (it writes the users' lists and a snapshot under
``ML_MODEL_DIR``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python manage.py seed_demo --scale 1
    DATABASE_URL=... ML_MODEL_DIR=/tmp/ml_models python benchmarks/recommendation_refresh.py [--users 5]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ml import recommendations  # noqa: E402
from ml.etl.common import PURCHASED  # noqa: E402
from shop.catalog.models import Product, ProductStatus  # noqa: E402
from shop.orders.models import OrderItem  # noqa: E402


def timed(func, users):
    """Seconds per call and queries per call, one call per user."""
    times, queries = [], []
    for user in users:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            func(user)
            times.append(time.perf_counter() - start)
        queries.append(len(captured))
    return times, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5)
    options = parser.parse_args()
    purchased = OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False)
    buyers = list(purchased.values_list("order__user_id", flat=True).distinct().order_by("order__user_id"))
    if not buyers:
        sys.exit("No purchases: run seed_demo first.")
    step = max(1, len(buyers) // options.users)
    users = buyers[::step][: options.users]
    print(
        f"{Product.objects.filter(status=ProductStatus.ACTIVE).count()} active products, {len(buyers)} buyers, "
        f"{purchased.count()} purchased order lines; users {users}; snapshots in {settings.ML_MODEL_DIR}"
    )
    start = time.perf_counter()
    recommendations.recommendations_precompute(progress=lambda done, total: None)
    print(f"nightly precompute (fit, all lists, snapshot): {time.perf_counter() - start:.2f} s")
    rows = [
        ("full fit on all the shop's data", *timed(
            lambda u: recommendations._refresh_refitted(user_id=u, now=datetime.now(UTC)), users
        )),
        ("scored against the snapshot", *timed(
            lambda u: recommendations.recommendations_user_refresh(user_id=u), users
        )),
    ]  # fmt: skip
    base = statistics.median(rows[0][1])
    print(f"{'refresh path':34} {'calls':>5} {'p50 ms':>9} {'max ms':>9} {'queries':>8} {'p50 / full fit':>15}")
    for name, times, queries in rows:
        p50 = statistics.median(times)
        print(
            f"{name:34} {len(times):5d} {p50 * 1000:9.1f} {max(times) * 1000:9.1f} "
            f"{'/'.join(sorted({str(q) for q in queries})):>8} {p50 / base:15.3f}"
        )
    folder = Path(settings.ML_MODEL_DIR) / recommendations._current_folder(Path(settings.ML_MODEL_DIR))
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    print(f"one saved fit ({folder.name}): {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
