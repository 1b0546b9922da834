"""CPU time per request of the shop's pages, in process, as a ratio to ``/health`` (survives machine load).

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/9 \\
        python benchmarks/pages_cpu.py --requests 300 [--rounds 3] [--profile "page: product"] [--top 40]

The ``page: ...`` rows of ``benchmarks/hot_paths.py`` with its paths (home, the top-level categories, six
searches, the 50 best sellers' product pages), as its clients send them: anonymous, no cookies (each
request is a new visitor, so every page sets a fresh CSRF cookie), one of many client addresses behind
one proxy. Two more rows read the product and home pages signed in (session cookie of a demo shopper
with a skin type, kept between requests). Settings as ``hot_paths.py`` gives its gunicorn
(``DEBUG=false``, one proxy, ``X-Query-Count``, request log lines written to ``/dev/null``).

After one warm-up pass per row (caches filled), each row is ``time.process_time()`` over ``--requests``
requests, interleaved with ``/health`` in blocks; ``--rounds`` repeats that and prints the median. Printed:
CPU ms per request, × /health (``/health``'s CPU divided by the row's), and exact counts per request taken
right after the warm-up (everything cached): SQL statements, Redis round trips, response bytes; and the
statements per request of the timed blocks themselves (``timed stmts``, from ``X-Query-Count``). The timed
rounds last longer than the lists' one-minute expiry, so they include the rebuilds a steady stream of
visitors pays. ``--profile ROW`` prints a cProfile of that row instead.

``--minute-later``: before each row's timed block, every cache entry with a minute or less left is deleted,
as when ``hot_paths.py``'s whole table comes back to the row more than a minute later (the lists' expiry).
"""

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode

from _inprocess import BENCH_ENV, ROOT, count_redis_trips, django_setup, logs_to_devnull, print_profile, test_client

sys.path.insert(0, str(ROOT / "benchmarks"))

SIGNED_IN = "signed in"


def rows_for(data):
    from catalog import SEARCH_QUERIES

    return {
        "health": ["/health"],
        "page: home": ["/"],
        "page: category": [f"/c/{slug}/" for slug in data["categories"]],
        "page: search": [f"/search/?{urlencode({'q': w})}" for w in SEARCH_QUERIES[:6]],
        "page: product": [f"/p/{slug}/" for slug in data["slugs"]],
        f"page: product ({SIGNED_IN})": [f"/p/{slug}/" for slug in data["slugs"]],
        f"page: home ({SIGNED_IN})": ["/"],
    }


def expire_a_minute():
    """Delete every cache entry with at most ``LIST_TIMEOUT`` seconds left (not timed): what a visit more than
    a minute later no longer finds."""
    from django_redis import get_redis_connection

    from shop.catalog.cache import LIST_TIMEOUT

    redis = get_redis_connection("default")
    expiring = [key for key in redis.scan_iter(count=1000) if 0 <= redis.ttl(key) <= LIST_TIMEOUT]
    if expiring:
        redis.delete(*expiring)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=3, help="interleaved blocks per row (with /health)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="a row name: cProfile its requests instead of timing")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="row names (default: all)")
    parser.add_argument("--user", default="shopper1@skincare.local", help="the signed-in rows' shopper")
    parser.add_argument(
        "--minute-later", action="store_true", help="expire what a minute expires before each row's timed block"
    )
    args = parser.parse_args(argv)

    django_setup(**BENCH_ENV, PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="pages-cpu-metrics-"))
    from catalog import client_address
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop.accounts.models import User
    from shop.catalog.models import Category, Product, ProductStatus

    logs_to_devnull()

    active = Product.objects.filter(status=ProductStatus.ACTIVE)
    data = {
        "slugs": list(active.order_by("-sales_count", "pk").values_list("slug", flat=True)[:50]),
        "categories": list(
            Category.objects.filter(is_active=True, parent__isnull=True)
            .order_by("sort_order", "pk")
            .values_list("slug", flat=True)
        ),
    }
    rows = rows_for(data)
    if args.only:
        rows = {name: paths for name, paths in rows.items() if name == "health" or name in args.only}
    anonymous = test_client()
    member = test_client()
    member.force_login(User.objects.get(email=args.user))
    counter = iter(range(10**9))

    def run(name, paths, n, sizes=None):
        """The row's requests; returns the statements they ran (their ``X-Query-Count`` headers)."""
        client = member if SIGNED_IN in name else anonymous
        statements = 0
        for i in range(n):
            if client is anonymous:
                client.cookies.clear()  # a new visitor each time, as hot_paths.py's clients
            path = paths[i % len(paths)]
            response = client.get(path, HTTP_X_FORWARDED_FOR=client_address(next(counter)))
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            if sizes is not None:
                sizes.append(len(response.content))
            statements += int(response.get("X-Query-Count", 0))
        return statements

    for name, paths in rows.items():  # warm-up: caches filled, per-process lookups made
        run(name, paths, 2 * len(paths))

    if args.profile:
        paths = rows[args.profile]
        profiler = cProfile.Profile(time.process_time)  # CPU time: waits on a loaded machine left out
        profiler.enable()
        run(args.profile, paths, args.requests)
        profiler.disable()
        print_profile(profiler, name=args.profile, per=args.requests, top=args.top)
        return 0

    counts = {}  # right after the warm-up, so every list and fragment is cached (they expire after a minute)
    for name, paths in rows.items():
        sizes = []
        with CaptureQueriesContext(connection) as queries, count_redis_trips() as trips:
            run(name, paths, len(paths), sizes)
        counts[name] = (len(queries) / len(paths), trips[0] / len(paths), statistics.fmean(sizes))

    per_block = max(1, args.requests // args.blocks)
    n = per_block * args.blocks
    ratios = {name: [] for name in rows}
    times = {name: [] for name in rows}
    timed_statements = dict.fromkeys(rows, 0)
    for _ in range(args.rounds):
        cpu = dict.fromkeys(rows, 0.0)
        for _ in range(args.blocks):
            for name, paths in rows.items():
                if args.minute_later:
                    expire_a_minute()
                started = time.process_time()
                timed_statements[name] += run(name, paths, per_block)
                cpu[name] += time.process_time() - started
        for name in rows:
            times[name].append(cpu[name] / n * 1000)
            ratios[name].append(cpu["health"] / cpu[name])
    print(f"{n} requests per row and round, {args.rounds} rounds, in process (CPU time), "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'row':30} {'CPU ms':>8} {'x /health':>10} {'per round':>20} {'statements':>11} {'Redis trips':>12} "
          f"{'bytes':>8} {'timed stmts':>12}")  # fmt: skip
    for name in rows:
        statements, trips, size = counts[name]
        per_round = " / ".join(f"{ratio:.2f}" for ratio in ratios[name])
        print(
            f"{name:30} {statistics.median(times[name]):8.3f} {statistics.median(ratios[name]):10.2f} "
            f"{per_round:>20} {statements:11.2f} {trips:12.2f} {size:8.0f} "
            f"{timed_statements[name] / (n * args.rounds):12.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
