"""Shop pages benchmark: server-side time and exact SQL query count of the main pages (home,
category, search, product, cart), each as a ratio to ``/health`` measured in the same run.

In-process: requests go through Django's full stack (middleware, session, views, templates)
with the test client, so the figures are the server's own work without a network or a load
generator competing for the CPU. Run it on the demo shop, with DEBUG off (production
templates and static manifest) and the cache you deploy with, e.g.::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare REDIS_URL=redis://127.0.0.1:6379/0
    python manage.py migrate && python manage.py seed_demo
    DEBUG=false SECRET_KEY=bench SECURE_SSL_REDIRECT=false python manage.py collectstatic --noinput
    DEBUG=false SECRET_KEY=bench SECURE_SSL_REDIRECT=false python benchmarks/pages.py --duration 10

For every page it prints the queries of a cold request (cache cleared first), of a warm one
(the same page again), and then, over ``--duration`` seconds of back-to-back warm requests,
requests per second, p50 and p95 in milliseconds, and each as a ratio to ``/health``.
The product page is the one with the most approved reviews; the cart is a guest's with
three lines; search uses a word from the demo catalogue.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from shop.catalog.models import Category, Product, ProductStatus  # noqa: E402


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}; is the demo shop seeded?")
    return response


def pages():
    """(name, path, client) of each measured page, from the demo data."""
    active = Product.objects.filter(status=ProductStatus.ACTIVE)
    product = active.order_by("-review_count", "id").first()
    category = Category.objects.filter(parent__isnull=True, is_active=True).order_by("sort_order", "id").first()
    if product is None or category is None:
        raise SystemExit("No products: run `manage.py seed_demo` first.")
    word = product.name.split()[-1].lower()
    guest = Client()
    for item in active.filter(stock_quantity__gt=10, variants__isnull=True).order_by("id")[:3]:
        guest.post("/cart/add/", {"product_id": item.pk, "quantity": 1})
    return [
        ("health (baseline)", "/health", Client()),
        ("home", "/", Client()),
        (f"category /c/{category.slug}/", f"/c/{category.slug}/", Client()),
        (f"search ?q={word}", f"/search/?q={word}", Client()),
        (f"product ({product.review_count} reviews)", f"/p/{product.slug}/", Client()),
        ("cart (guest, 3 lines)", "/cart/", guest),
    ]


def count_queries(client, path):
    """SQL statements one request runs (counted by an execute wrapper: the request's own
    ``reset_queries`` would empty a captured log)."""
    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        get(client, path)
    return len(executed)


def measure(client, path, duration):
    latencies = []
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        get(client, path)
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "mean": statistics.fmean(latencies),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--json", action="store_true", help="print raw results as JSON too")
    args = parser.parse_args(argv)

    targets = pages()
    products = Product.objects.filter(status=ProductStatus.ACTIVE).count()
    backend = connection.vendor
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"{products} active products; {backend}; cache {cache_backend}; DEBUG={settings.DEBUG}; "
        f"{args.duration:.0f}s per page",
        file=sys.stderr,
    )
    results = {}
    for name, path, client in targets:
        cache.clear()
        cold = count_queries(client, path)
        warm = count_queries(client, path)
        for _ in range(args.warmup):
            get(client, path)
        results[name] = {"path": path, "cold_queries": cold, "warm_queries": warm}
        results[name].update(measure(client, path, args.duration))
        print(f"  {name}: {results[name]['rps']:.0f} req/s", file=sys.stderr)

    base = results["health (baseline)"]
    print("| page | queries cold | queries warm | req/s | p50 ms | p95 ms | req/s vs /health | p50 vs /health |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['cold_queries']} | {r['warm_queries']} | {r['rps']:.0f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['rps'] / base['rps']:.3f} | {r['p50'] / base['p50']:.1f}x |"
        )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
