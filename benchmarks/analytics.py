"""Analytics ingestion benchmark, two parts.

``http`` (default): requests/s and p50/p95 latency of ``POST /api/v1/analytics/events`` with
batches of 1, 10 and 100 events, each as a ratio to ``/health`` measured in the same run, and
the cost per event (ms of request time / events per request). Standard library only; run it
against a server that is already up, e.g.::

    DATABASE_URL=postgres://... REDIS_URL=redis://... DEBUG=false SECRET_KEY=... \\
      NUM_PROXIES=1 ALLOWED_HOSTS=127.0.0.1 DB_CONN_MAX_AGE=60 \\
      gunicorn skincare.wsgi -w 4 -b 127.0.0.1:8100
    python benchmarks/analytics.py --base-url http://127.0.0.1:8100 --duration 10 --concurrency 8

Requests spread over many client addresses with ``X-Forwarded-For`` (start the server with
``NUM_PROXIES=1``) so the ``analytics`` throttle stays in the measured path without refusing
the run. Without a broker the flush runs eagerly inside the request that fills the buffer
(``ANALYTICS_FLUSH_SIZE``), so p95 includes flushes; with a broker it runs in a worker.

``flush``: in-process against a throw-away test database, the cost per event of
``events_flush`` (buffer -> store) for growing backlogs; a flat µs/event means the write is
bulk, not per event::

    DATABASE_URL=postgres://... REDIS_URL=redis://... python benchmarks/analytics.py flush

``etl``: in-process against a throw-away test database per scale, ``seed_demo --scale S`` then each
ETL job run again over the seeded data (the jobs are idempotent, so this is a full recomputation),
timed; the first scale is the baseline, and each job's time and rows read are printed as ratios
to it (a time ratio close to the rows ratio means the job grows linearly)::

    DATABASE_URL=postgres://... REDIS_URL=redis://... python benchmarks/analytics.py etl --scales 1,10
"""

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from catalog import client_address, hammer, percentile  # the shared load loop (benchmarks/ is sys.path[0])

BATCH_SIZES = (1, 10, 100)


def batch(size, offset):
    kinds = [
        {"type": "page_view", "page_url": "/products"},
        {"type": "product_view", "product_id": 1, "duration_seconds": 5},
        {"type": "cart_add", "product_id": 2, "quantity": 1},
        {"type": "recommendation_shown", "product_ids": [1, 2, 3]},
    ]
    return json.dumps(
        {"events": [{**kinds[(offset + i) % len(kinds)], "session_id": f"bench-{offset % 997}"} for i in range(size)]}
    ).encode()


def run_scenario(base_url, *, method, path, body_for, duration, concurrency, expected):
    parts = urlsplit(base_url)

    def connect():
        return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)

    def request_for(i):
        headers = {"Accept": "application/json", "X-Forwarded-For": client_address(i),
                   "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"}  # fmt: skip
        body = body_for(i) if body_for else None
        if body is not None:
            headers["Content-Type"] = "application/json"
        return method, path, body, headers

    latencies, errors, elapsed, _ = hammer(
        connect, request_for, duration=duration, concurrency=concurrency, expected=expected
    )
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors})[:5],
    }


def http_main(args):
    common = {"duration": args.duration, "concurrency": args.concurrency}
    health = run_scenario(args.base_url, method="GET", path="/health", body_for=None, expected=200, **common)
    rows = [("/health", 0, health)]
    for size in BATCH_SIZES:
        bodies = [batch(size, offset) for offset in range(64)]
        stats = run_scenario(
            args.base_url, method="POST", path="/api/v1/analytics/events",
            body_for=lambda i, bodies=bodies: bodies[i % len(bodies)], expected=202, **common,
        )  # fmt: skip
        rows.append((f"events x{size}", size, stats))
    print(f"{'scenario':<14} {'req/s':>8} {'events/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'vs health':>9} "
          f"{'ms/event':>9} {'errors':>6}")  # fmt: skip
    for name, size, s in rows:
        events = s["rps"] * size
        per_event = f"{s['p50'] / size:9.3f}" if size else f"{'':>9}"
        print(
            f"{name:<14} {s['rps']:8.1f} {events:9.1f} {s['p50']:7.2f} {s['p95']:7.2f} "
            f"{s['rps'] / health['rps']:9.2f} {per_event} {s['errors']:6d} {' '.join(s['error_kinds'])}"
        )


def flush_main(args):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
    import django

    django.setup()
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        from ml import buffer, services
        from ml.models import AnalyticsDocument
        from ml.store import get_store

        buffer.KEY = "ml:events:buffer:benchmark"  # never touch a live buffer on the same cache
        print(f"store: {get_store().backend}; buffer: {buffer._redis() and 'redis' or 'locmem'}")
        print(f"{'backlog':>8} {'flush s':>8} {'µs/event':>9} {'documents':>10}")
        for backlog in args.backlogs:
            AnalyticsDocument.objects.all().delete()
            events = [
                services.event_build(
                    event_type="product_view", data={"product_id": i % 50 + 1}, user_id=None,
                    session_id=f"s{i % 200}", device_info={"device_type": "mobile"}, source="client",
                )
                for i in range(backlog)
            ]  # fmt: skip
            for start in range(0, backlog, 1000):
                buffer.push(events[start : start + 1000])
            t0 = time.perf_counter()
            written, dropped = services.events_flush(max_batches=10**6)
            elapsed = time.perf_counter() - t0
            assert (written, dropped) == (backlog, 0), (written, dropped)
            print(f"{backlog:8d} {elapsed:8.3f} {elapsed / backlog * 1e6:9.1f} {AnalyticsDocument.objects.count():10d}")
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


def _etl_jobs(days):
    from ml.etl import jobs

    return [
        ("daily_metrics", lambda: [jobs.daily_metrics_run(day=day) for day in days]),
        ("purchase_patterns", jobs.purchase_patterns_run),
        ("feedback_analytics", jobs.feedback_analytics_run),
        ("feedback_stream", lambda: [jobs.feedback_stream_run(date_from=days[0], date_to=days[-1])]),
        ("user_feedback_journey", jobs.user_feedback_journey_run),
    ]


def _etl_measure(scale):
    """seed_demo at ``scale`` in a fresh test database, then {job: (seconds, rows read, rows written)}."""
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    from ml.demo import DAYS

    old = setup_databases(verbosity=0, interactive=False)
    try:
        t0 = time.perf_counter()
        call_command("seed_demo", scale=scale, stdout=sys.stderr)
        seeded = time.perf_counter() - t0
        print(f"scale {scale}: seed_demo {seeded:.1f} s", flush=True)
        today = datetime.now(UTC).date()
        days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
        figures = {}
        for name, run in _etl_jobs(days):
            t0 = time.perf_counter()
            results = run()
            elapsed = time.perf_counter() - t0
            results = results if isinstance(results, list) else [results]
            figures[name] = (elapsed, sum(r.rows_read for r in results), sum(r.rows_written for r in results))
            _, read, written = figures[name]
            print(f"  {name:<22} {elapsed:8.2f} s  {read:>9} read  {written:>9} written", flush=True)
        return figures
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


def etl_main(args):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    measured = {scale: _etl_measure(scale) for scale in args.scales}
    base_scale = args.scales[0]
    base = measured[base_scale]
    print(f"\n{'scale':>6} {'job':<22} {'seconds':>8} {'rows read':>10} {'time ratio':>10} {'rows ratio':>10}")
    for scale, figures in measured.items():
        for name, (seconds, read, _written) in figures.items():
            time_ratio = seconds / base[name][0] if base[name][0] else float("nan")
            rows_ratio = read / base[name][1] if base[name][1] else float("nan")
            print(f"{scale:>6} {name:<22} {seconds:8.2f} {read:10d} {time_ratio:10.2f} {rows_ratio:10.2f}")
        total = sum(seconds for seconds, _, _ in figures.values())
        base_total = sum(seconds for seconds, _, _ in base.values())
        print(f"{scale:>6} {'all jobs':<22} {total:8.2f} {'':>10} {total / base_total:10.2f}")
    print(f"(ratios against scale {base_scale} in this run)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=["http", "flush", "etl"], default="http")
    parser.add_argument("--base-url", default="http://127.0.0.1:8100")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backlogs", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 50000])
    parser.add_argument("--scales", type=lambda s: [float(x) for x in s.split(",")], default=[1.0, 10.0])
    args = parser.parse_args(argv)
    if args.mode == "etl":
        etl_main(args)
    elif args.mode == "flush":
        flush_main(args)
    else:
        http_main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
