"""Profile one URL in-process (cProfile over Django's full stack): where a slow endpoint spends its time.

    python benchmarks/profile_url.py /api/v1/recommendations/similar/6 --repeat 20
    python benchmarks/profile_url.py /api/v1/user/reviews --user shopper1@skincare.local

Warm-up request first (caches filled), then ``--repeat`` requests under the profiler. Prints the mean time
and SQL statements per request, the SQL share of the time, and the functions with the most cumulative time
(``--top``), project code first. Run it against the database and cache the load test used (DATABASE_URL,
REDIS_URL), with DEBUG off like production.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PROJECT = tuple(str(ROOT / app) for app in ("shop", "feedback", "reviews", "ml", "skincare"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--user", help="sign in as this e-mail first (session)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    if args.user:
        from shop.accounts.models import User

        client.force_login(User.objects.get(email=args.user))
    first = client.get(args.url)
    print(f"GET {args.url} -> {first.status_code} ({len(first.content)} bytes)")
    if first.status_code >= 400:
        return 1

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(args.url)
        profiler.disable()
        elapsed = time.perf_counter() - started
    sql_seconds = sum(float(q["time"]) for q in queries.captured_queries)
    print(
        f"{args.repeat} requests: {elapsed / args.repeat * 1000:.1f} ms each (profiled), "
        f"{len(queries.captured_queries) / args.repeat:.1f} SQL statements each, "
        f"SQL {sql_seconds / elapsed * 100:.0f} % of the time"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative")
    rows = []
    for (filename, line, function), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items():
        rows.append((cumulative, calls, filename, line, function))
    rows.sort(reverse=True)
    ours = [row for row in rows if row[2].startswith(PROJECT)]
    print(f"\nproject functions by cumulative time (per request, ms), top {args.top}:")
    for cumulative, calls, filename, line, function in ours[: args.top]:
        where = os.path.relpath(filename, ROOT)
        print(f"  {cumulative / args.repeat * 1000:8.1f}  {calls // args.repeat:5d}x  {where}:{line} {function}")
    print(f"\nall functions by cumulative time (per request, ms), top {args.top}:")
    for cumulative, calls, filename, line, function in rows[: args.top]:
        inside = filename.startswith(str(ROOT))
        where = os.path.relpath(filename, ROOT) if inside else filename.split("site-packages/")[-1]
        print(f"  {cumulative / args.repeat * 1000:8.1f}  {calls // args.repeat:5d}x  {where}:{line} {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
