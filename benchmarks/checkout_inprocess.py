"""Checkout in-process on a demo-data database: SQL statements and CPU time per request, as a
ratio to ``/health`` measured the same way in the same run, and an optional cProfile.

CPU time (``time.process_time``) is what a request costs the process, whatever else loads the
machine; wall-clock milliseconds are printed too, for scale only. Each checkout is what
``benchmarks/hot_paths.py``'s checkout row does: one stocked product put in a demo shopper's cart
(not timed), then ``POST /api/v1/orders`` with the test card and an ``Idempotency-Key`` (timed),
through Django's test client with a JWT, ``DEBUG`` off. It places real orders (commits), so run it
on a copy of the hot-paths database, never on one that matters::

    createdb -h 127.0.0.1 -U postgres -T skincare_hot_paths_s3 skincare_me_s3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_me_s3 REDIS_URL=redis://127.0.0.1:6379/4 \\
        python benchmarks/checkout_inprocess.py --checkouts 60 [--profile 20]

``--broker URL --queue NAME`` publishes the queued work to ``NAME`` on that broker instead of
running it in the request (Celery eager is the default, as without ``CELERY_BROKER_URL``); no worker
reads it here, and the queue is purged at the end. Use a queue name of your own.

The PostgreSQL server's CPU per checkout is read too (``/proc/<pid>/schedstat`` of the connection's
server process, before and after each timed request: the server runs on this machine), with a ratio
to ``/health`` that counts it. ``--explain``: the planning time of each statement of one more
checkout (``EXPLAIN (SUMMARY)``: planned, not run, so writes are not repeated).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from _inprocess import ROOT, checkout_post, checkout_shoppers, django_setup, print_functions, test_client
from cart_cpu import backend_cpu

CHECKOUT_PRODUCTS = 40


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", type=int, default=60, help="timed checkouts (after 2 per shopper untimed)")
    parser.add_argument("--shoppers", type=int, default=8)
    parser.add_argument("--health", type=int, default=300, help="timed /health requests")
    parser.add_argument("--profile", type=int, default=0, help="then profile this many more checkouts")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--profile-out", help="with --profile: also dump the profile there (pstats), to read callees")
    parser.add_argument("--broker", help="CELERY_BROKER_URL (default: none, Celery eager)")
    parser.add_argument("--queue", help="CELERY_TASK_DEFAULT_QUEUE with --broker (purged at the end)")
    parser.add_argument("--sql", action="store_true", help="print the statements of one more checkout")
    parser.add_argument(
        "--server-split",
        type=int,
        default=0,
        help="then this many more checkouts: the PostgreSQL server's CPU per statement (mean µs)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="planning ms of each statement of one more checkout (median of 7)"
    )
    parser.add_argument(
        "--refresh-each",
        action="store_true",
        help="release the shopper's recommendation-refresh claim before each checkout (ml.rec_services): "
        "every checkout then pays for a refresh, as a shopper's first purchase in a while does",
    )
    args = parser.parse_args(argv)

    os.environ.update(DEBUG="false", SECURE_SSL_REDIRECT="false", LOG_REQUESTS="false")
    os.environ["SECRET_KEY"] = "checkout-inprocess"  # noqa: S105 - a throw-away in-process server
    if args.broker:
        if not args.queue:
            parser.error("--broker needs --queue (a queue of your own)")
        os.environ.update(CELERY_BROKER_URL=args.broker, CELERY_TASK_DEFAULT_QUEUE=args.queue)
        os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    django_setup(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    import logging

    logging.disable(logging.WARNING)  # per-task INFO lines and warnings would cost time in the figures

    from django.core.cache import cache
    from django.db import connection

    from shop.cart.services import cart_add_line, cart_for_user

    clients, products = checkout_shoppers(args.shoppers, CHECKOUT_PRODUCTS)
    health_client = test_client()
    count = {"n": 0}

    def counting(execute, sql, params, many, context):
        count["n"] += 1
        return execute(sql, params, many, context)

    state = {"i": 0}

    def prepare():
        user, client, address_id = clients[state["i"] % len(clients)]
        if args.refresh_each:
            cache.delete(f"ml:recommendations:refresh:{user.pk}")
        cart = cart_for_user(user=user)
        cart_add_line(cart=cart, product_id=products[state["i"] % len(products)], quantity=1)
        state["i"] += 1
        return client, address_id

    checkout = checkout_post

    def timed(call, n, before=None):
        cpu, wall, statements, server = [], [], [], []
        for _ in range(n):
            prepared = before() if before else ()
            count["n"] = 0
            s0 = backend_cpu()
            with connection.execute_wrapper(counting):
                c0, w0 = time.process_time(), time.perf_counter()
                call(*prepared)
                c1, w1 = time.process_time(), time.perf_counter()
            s1 = backend_cpu()
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
            statements.append(count["n"])
            if s0 and s1 and s0[0] == s1[0]:  # the same server process before and after
                server.append((s1[1] - s0[1]) / 1e6)
            elif not count["n"]:
                server.append(0.0)
        return cpu, wall, statements, server

    for _ in range(2 * len(clients)):  # warm-up: connections, caches, the recommender snapshot
        checkout(*prepare())
    timed(lambda: health_client.get("/health"), 50)
    health = timed(lambda: health_client.get("/health"), args.health)
    orders = timed(checkout, args.checkouts, prepare)

    mode = f"broker {args.broker} queue {args.queue} (no worker)" if args.broker else "Celery eager (no broker)"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"# checkout in-process, {mode}; {len(clients)} shoppers, load average {load}")
    print(
        f"{'request':>10} {'n':>4} {'CPU ms mean':>12} {'CPU ms p50':>11} {'wall ms p50':>12} {'statements':>11} "
        f"{'server CPU ms mean':>19} {'p50':>6}"
    )
    for name, (cpu, wall, statements, server) in (("/health", health), ("checkout", orders)):
        counts = sorted(set(statements))
        shown = str(counts[0]) if len(counts) == 1 else f"{min(counts)}-{max(counts)}"
        served = (
            f"{statistics.mean(server):19.2f} {statistics.median(server):6.2f}" if server else f"{'-':>19} {'-':>6}"
        )
        print(
            f"{name:>10} {len(cpu):4d} {statistics.mean(cpu):12.2f} {statistics.median(cpu):11.2f} "
            f"{statistics.median(wall):12.1f} {shown:>11} {served}"
        )
    ratio = statistics.mean(health[0]) / statistics.mean(orders[0])
    print(f"checkout CPU per request as a ratio to /health (mean CPU ms): {ratio:.4f}")
    if orders[3]:
        with_db = statistics.mean(health[0]) / (statistics.mean(orders[0]) + statistics.mean(orders[3]))
        print(f"the same with the PostgreSQL server's CPU added to the checkout's: {with_db:.4f}")

    if args.sql:
        from django.test.utils import CaptureQueriesContext

        prepared = prepare()
        with CaptureQueriesContext(connection) as queries:
            checkout(*prepared)
        for number, query in enumerate(queries.captured_queries, 1):
            print(f"{number:3d} {query['sql'][:200]}")

    if args.server_split:
        server_split(args.server_split, prepare, checkout)

    if args.explain:
        from django.test.utils import CaptureQueriesContext

        prepared = prepare()
        with CaptureQueriesContext(connection) as queries:
            checkout(*prepared)
        explain_statements([query["sql"] for query in queries.captured_queries])

    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL do not count
        for _ in range(args.profile):
            prepared = prepare()
            profiler.enable()
            checkout(*prepared)
            profiler.disable()
        stats = pstats.Stats(profiler)
        if args.profile_out:
            stats.dump_stats(args.profile_out)
        project = tuple(str(ROOT / app) for app in ("shop", "feedback", "reviews", "ml", "skincare"))
        print(f"\nproject functions by cumulative CPU time, per checkout (ms, profiled), top {args.top}:")
        print_functions(
            stats,
            per=args.profile,
            top=args.top,
            where=lambda filename: os.path.relpath(filename, ROOT),
            keep=lambda filename: filename.startswith(project),
        )
        print(f"\nall functions by internal CPU time, per checkout (ms, profiled), top {args.top}:")
        print_functions(
            stats, per=args.profile, top=args.top, key="tottime", where=lambda name: name.split("site-packages/")[-1]
        )

    if args.broker:
        from skincare.celery import app

        with app.connection_for_write() as conn:
            purged = conn.default_channel.queue_purge(args.queue)
        print(f"purged {purged} messages from {args.queue}")
    return 0


def server_split(n, prepare, checkout):
    """The server's CPU per statement of ``n`` checkouts (``/proc/<pid>/schedstat`` read around each
    statement; a few µs of the reading's own cost each), by position in the checkout, mean µs; the rest
    of the server's CPU in the request (commits, which Django does not send through ``execute``)."""
    import collections

    from django.db import connection

    spent, texts, rest = collections.defaultdict(float), {}, []
    position = [0]

    def timing(execute, sql, params, many, context):
        position[0] += 1
        before = backend_cpu()
        try:
            return execute(sql, params, many, context)
        finally:
            after = backend_cpu()
            if before and after and before[0] == after[0]:
                spent[position[0]] += (after[1] - before[1]) / 1e3
                texts.setdefault(position[0], sql)
                outside[0] -= (after[1] - before[1]) / 1e3

    outside = [0.0]
    for _ in range(n):
        prepared = prepare()
        position[0] = 0
        s0 = backend_cpu()
        outside[0] = 0.0
        with connection.execute_wrapper(timing):
            checkout(*prepared)
        s1 = backend_cpu()
        rest.append(outside[0] + (s1[1] - s0[1]) / 1e3)
    print(f"\nthe server's CPU per statement, mean µs of {n} checkouts:")
    for number in sorted(spent):
        print(f"{number:3d} {spent[number] / n:8.1f}  {' '.join(texts[number].split())[:130]}")
    print(f"    {statistics.mean(rest):8.1f}  outside the statements (commits)")


def explain_statements(statements, runs=7):
    """Median ``Planning Time`` of ``EXPLAIN (SUMMARY)`` of each statement (as sent, its parameters in
    it), in a transaction rolled back; transaction control and ``SAVEPOINT`` lines are skipped."""
    from django.db import connection, transaction

    skipped = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ")
    total = 0.0
    print("\nplanning ms of each statement (EXPLAIN (SUMMARY), median of 7):")
    with transaction.atomic(), connection.cursor() as cursor:
        for number, sql in enumerate(statements, 1):
            if sql.lstrip().upper().startswith(skipped):
                continue
            times = []
            for _ in range(runs):
                cursor.execute(f"EXPLAIN (SUMMARY) {sql}")
                for (line,) in cursor.fetchall():
                    if line.strip().startswith("Planning Time:"):
                        times.append(float(line.split(": ")[1].split()[0]))
            planning = statistics.median(times)
            total += planning
            print(f"{number:3d} {planning:7.3f}  {sql[:150]}")
        transaction.set_rollback(True)
    print(f"    {total:7.3f}  in all")


if __name__ == "__main__":
    sys.exit(main())
