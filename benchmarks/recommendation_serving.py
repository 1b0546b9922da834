"""Recommendation serving benchmark: latency of the selectors the endpoints and pages call, in
process (no HTTP), as a ratio to reading one page of 20 products from the catalog (the shop's
own list read: the products with their primary images) in the same run. Also the time of one
per-user refresh (what the Celery task does after a purchase or review).

Run on a database with the demo shop and a precompute::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python manage.py seed_demo --scale 1
    DATABASE_URL=... python manage.py recommendations_precompute
    DATABASE_URL=... python benchmarks/recommendation_serving.py [--rounds 200]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from ml import routines, serving  # noqa: E402
from ml.models import AnalyticsDocument  # noqa: E402
from ml.recommendations import recommendations_user_refresh  # noqa: E402
from shop.catalog import selectors as catalog_selectors  # noqa: E402
from shop.catalog.serializers import product_list_item  # noqa: E402


def timed(func, args_list):
    """Milliseconds per call, one call per item of ``args_list`` (after one warm-up call)."""
    func(args_list[0])
    times = []
    for args in args_list:
        start = time.perf_counter()
        func(args)
        times.append((time.perf_counter() - start) * 1000)
    return times


def catalog_page(offset):
    queryset = catalog_selectors.product_list_queryset().order_by("pk")[offset : offset + 20]
    return [product_list_item(p) for p in queryset]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    User = get_user_model()
    stored = [
        int(key)
        for key in AnalyticsDocument.objects.filter(collection="product_recommendations", key__regex=r"^\d+$")
        .order_by("key")
        .values_list("key", flat=True)[: options.rounds]
    ]
    if not stored:
        sys.exit("No stored lists: run seed_demo and recommendations_precompute first.")
    users = {u.pk: u for u in User.objects.filter(pk__in=stored)}
    known = [users[pk] for pk in stored if pk in users]
    cold = list(User.objects.exclude(pk__in=stored).filter(is_staff=False).order_by("pk")[: options.rounds]) or known
    products = list(catalog_selectors.product_list_queryset().order_by("pk").values_list("pk", flat=True))
    product_ids = (products * (options.rounds // max(1, len(products)) + 1))[: options.rounds]
    offsets = [(n * 20) % max(1, len(products) - 20) for n in range(options.rounds)]

    scenarios = [
        ("baseline: catalog page of 20", timed(catalog_page, offsets)),
        ("for me (stored list)", timed(lambda u: serving.recommendations_for_user(user=u), known)),
        ("for me (cold start)", timed(lambda u: serving.recommendations_for_user(user=u), cold)),
        ("similar (stored)", timed(lambda pid: serving.recommendations_similar(product_id=pid), product_ids)),
        ("bought together", timed(lambda pid: serving.bought_together(product_ids=[pid]), product_ids)),
        ("trending oily", timed(lambda _: serving.recommendations_trending(skin_type="oily"), offsets)),
        ("routine (oily, acne)", timed(
            lambda _: routines.routine_build(skin_type="oily", concerns=["acne"]), offsets[:20]
        )),
    ]  # fmt: skip
    base = statistics.median(scenarios[0][1])
    print(f"{len(known)} users with a stored list, {len(cold)} without, {len(products)} active products")
    print(f"{'scenario':30} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'p50 / baseline':>15}")
    for name, times in scenarios:
        p50 = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        print(f"{name:30} {len(times):6d} {p50:8.2f} {p95:8.2f} {p50 / base:15.2f}")
    start = time.perf_counter()
    recommendations_user_refresh(user_id=known[0].pk)
    print(f"per-user refresh (one user, fit without ALS): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
