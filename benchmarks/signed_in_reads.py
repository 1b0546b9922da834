"""Signed-in reads in process: CPU time per request of the order list and the notifications list,
as a ratio to ``/health`` measured the same way in the same run, plus SQL statements per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_x_s3 REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/signed_in_reads.py --repeat 300 --rounds 3

Reads the shopper ``benchmarks/hot_paths.py`` prepared (``bench-orders@skincare.local``, 500 orders)
with a JWT access token, as that benchmark does, through Django's test ``Client`` and the whole
middleware stack with ``DEBUG=false``. CPU time (``time.process_time``) survives a loaded machine far
better than wall-clock throughput; the ratio to ``/health`` of the same round is the figure to compare.
``--profile URL`` prints a cProfile of that URL instead.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys

from _inprocess import django_setup, jwt_client, timed

django_setup(
    DEBUG="false",
    SECRET_KEY="signed-in-reads-benchmark",  # noqa: S106 - a throw-away in-process server
    SECURE_SSL_REDIRECT="false",
    ALLOWED_HOSTS="127.0.0.1",
    DB_CONN_MAX_AGE="60",
    THROTTLE_USER="1000000/min",
    LOG_REQUESTS="false",
)

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ORDERS_EMAIL = "bench-orders@skincare.local"
URLS = {
    "health": "/health",
    "order list p1": "/api/v1/orders?page=1",
    "order list p2": "/api/v1/orders?page=2",
    "order list p3": "/api/v1/orders?page=3",
    "notifications": "/api/v1/notifications",
}


def _client(email):
    from shop.accounts.models import User

    return jwt_client(User.objects.get(email=email))


def _cpu_ms(client, url, repeat):
    timing = timed(lambda _: client.get(url), repeat)
    assert timing.last.status_code == 200, (url, timing.last.status_code, timing.last.content[:300])
    return timing.cpu_ms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--email", default=ORDERS_EMAIL)
    parser.add_argument("--profile", help="profile this URL instead (cProfile, --repeat requests)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    client = _client(args.email)

    if args.profile:
        client.get(args.profile)
        profiler = cProfile.Profile()
        timed(lambda _: client.get(args.profile), args.repeat, profiler=profiler)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        return 0

    statements = {}
    for name, url in URLS.items():
        client.get(url)  # warm-up: caches filled, connection open
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        statements[name] = len(queries.captured_queries)
        print(f"{name}: {url} -> {response.status_code}, {len(response.content)} bytes", file=sys.stderr)

    results = {name: [] for name in URLS}
    for _ in range(args.rounds):
        for name, url in URLS.items():
            results[name].append(_cpu_ms(client, url, args.repeat))
    health = results["health"]
    print(f"{'request':<16} {'CPU ms/request (median)':>24} {'× /health CPU':>14} {'statements':>11}")
    for name, per_round in results.items():
        ratios = [h / ms for h, ms in zip(health, per_round, strict=True)]
        print(
            f"{name:<16} {statistics.median(per_round):>24.2f} {statistics.median(ratios):>14.2f} "
            f"{statements[name]:>11}"
        )
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
