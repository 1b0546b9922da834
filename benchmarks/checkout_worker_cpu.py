"""The Celery worker's CPU per checkout, in process: what the messages one checkout publishes cost the
process that runs them, split by task, and an optional cProfile.

It places ``--checkouts`` checkouts through Django's test client (as ``checkout_inprocess.py`` does: one
stocked product in a demo shopper's cart, ``POST /api/v1/orders`` with the test card; not timed) with a
broker, into a queue of your own, then takes the messages off that queue one by one (``kombu``) and runs
each as the worker's pool process does: the message body decoded and the task run through Celery's
tracer (``celery.app.trace.build_tracer``: the ``task_prerun`` / ``task_postrun`` / ``task_failure``
signals, so our observability hooks, the result handling, the retry logic), then acknowledged. The CPU
time (``time.process_time``) of each message is summed by task name; inside ``skincare.deferred_run``
each task it carries is timed too. Messages published while they run (the recommendation refresh, sent
with its 30 s countdown by ``deferred_run``, and ``feedback.deliver_notifications``) are run the same way,
at once (the countdown is not waited for). Before each checkout the shopper's refresh claim is released,
so every checkout pays for a refresh, as ``hot_paths.py``'s checkout row (a new shopper each time) does.

It also prints the CPU of PostgreSQL (this process's backend, ``/proc/<pid>/schedstat``) and of the Redis server
(``INFO cpu``: the whole server, so other users of it count too) per checkout, for the timed checkouts and for
their messages, and the web request's Redis round trips per checkout (the setup's cart line included). Give
``--shoppers`` at least ``--checkouts`` for a different shopper per checkout, as ``hot_paths.py``'s checkout row
(each of them then in the recommendation refresh and the notices' version replacements).

Not counted: the worker's main process (receiving, ``Request`` objects, the pool pipe), Celery's own
code around the tracer. ``DB_CONN_MAX_AGE=60``, as ``hot_paths.py`` gives its worker. It places real orders
(commits), so run it on a copy of the hot-paths database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_me_s3 REDIS_URL=redis://127.0.0.1:6379/4 \\
        python benchmarks/checkout_worker_cpu.py --broker amqp://guest:guest@127.0.0.1:5672// \\
        --queue me-worker --checkouts 40 [--profile]

The queue is purged at the start and at the end. Use a queue name of your own.

``--worker "OPTIONS"`` measures a real worker instead: ``celery -A skincare worker OPTIONS`` (e.g.
``"--concurrency 1"``, ``"--pool solo"``, ``"--pool threads --concurrency 2 --loglevel info"``; the log level is
``warning`` unless given, the log lines go to ``/dev/null``) started on the queue with this process's
environment, as ``hot_paths.py`` starts its worker. The checkouts are placed while it runs; the CPU of its main
process and of its pool processes is read from ``/proc`` (in 10 ms ticks) before the timed checkouts and again
once the refreshes they queued (30 s countdown) have run and the worker is idle, less what it spends idle
(measured first, for 10 s), and so is the number of connections opened to the database
(``pg_stat_database.sessions``; this process keeps its own). Each checkout is two messages for the worker:
``deferred_run`` and the refresh it sends on.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from _inprocess import (
    ROOT,
    checkout_post,
    checkout_shoppers,
    count_redis_trips,
    django_setup,
    logs_to_devnull,
    print_functions,
)
from hot_paths import _proc_stats, broker_connection, queue_state, start_worker, stop_worker

CHECKOUT_PRODUCTS = 40


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", type=int, default=40)
    parser.add_argument("--shoppers", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=8, help="checkouts whose messages run untimed first")
    parser.add_argument("--broker", required=True, help="CELERY_BROKER_URL")
    parser.add_argument("--queue", required=True, help="CELERY_TASK_DEFAULT_QUEUE (purged at start and end)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed messages")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="with --profile: also write the cProfile stats to this file")
    parser.add_argument("--worker", metavar="OPTIONS", help="a real `celery worker OPTIONS`, its CPU from /proc")
    args = parser.parse_args(argv)

    os.environ.update(DEBUG="false", SECURE_SSL_REDIRECT="false", LOG_REQUESTS="false", DB_CONN_MAX_AGE="60")
    os.environ["SECRET_KEY"] = "checkout-worker-cpu"  # noqa: S105 - a throw-away in-process server
    os.environ.update(CELERY_BROKER_URL=args.broker, CELERY_TASK_DEFAULT_QUEUE=args.queue)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    django_setup(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    import logging

    logs_to_devnull()
    logging.getLogger("celery").setLevel(logging.WARNING)  # the worker of hot_paths.py: --loglevel warning

    from celery.app.trace import build_tracer
    from django.core import mail
    from django.core.cache import cache
    from kombu import Queue

    from shop.cart.services import cart_add_line, cart_for_user
    from skincare.celery import app

    clients, products = checkout_shoppers(args.shoppers, CHECKOUT_PRODUCTS)
    state = {"i": 0}

    def checkout():
        user, client, address_id = clients[state["i"] % len(clients)]
        cache.delete(f"ml:recommendations:refresh:{user.pk}")
        cart_add_line(cart=cart_for_user(user=user), product_id=products[state["i"] % len(products)], quantity=1)
        state["i"] += 1
        checkout_post(client, address_id)

    if args.worker:
        return worker_process(args, checkout, [user.pk for user, _, _ in clients])
    app.loader.import_default_modules()  # the tasks modules, as the worker imports them at start
    from skincare.celery import WorkerFixup

    WorkerFixup(app).install()  # the worker's per-task database connection housekeeping
    # Inner runs of deferred_run, timed by task name (the task's ``run``, as ``task(...)`` calls it).
    inner = defaultdict(float)
    inner_n = defaultdict(int)
    timing = {"on": False}
    for name in ("orders.email_send", "feedback.order_notices", "feedback.deliver_notifications"):
        task = app.tasks[name]
        original = task.run

        def timed_run(*a, _original=original, _name=name, **kw):
            c0 = time.process_time()
            try:
                return _original(*a, **kw)
            finally:
                if timing["on"]:
                    inner[_name] += time.process_time() - c0
                    inner_n[_name] += 1

        task.run = timed_run

    tracers = {}

    def tracer_for(name):
        if name not in tracers:
            tracers[name] = build_tracer(name, app.tasks[name], app=app, hostname=f"{args.queue}@bench", eager=False)
        return tracers[name]

    by_task = defaultdict(float)
    by_task_n = defaultdict(int)

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        queue = Queue(args.queue, channel=channel)
        queue.declare()
        queue.purge()

        def drain(*, timed, profiler=None):
            """Run the queue's messages until it is empty; CPU seconds, total."""
            total = 0.0
            while True:
                message = queue.get(no_ack=False, accept=["json"])
                if message is None:
                    return total
                c0 = time.process_time()
                if profiler:
                    profiler.enable()
                headers = message.headers
                task_args, task_kwargs, embed = message.decode()
                request = {
                    **headers,
                    **embed,
                    "delivery_info": message.delivery_info,
                    "hostname": f"{args.queue}@bench",
                    "is_eager": False,
                }
                tracer_for(headers["task"])(headers["id"], task_args, task_kwargs, request)
                message.ack()
                if profiler:
                    profiler.disable()
                spent = time.process_time() - c0
                total += spent
                if timed:
                    by_task[headers["task"]] += spent
                    by_task_n[headers["task"]] += 1

        for _ in range(args.warmup):
            checkout()
        drain(timed=False)
        web = {"cpu": 0.0, "trips": 0}
        server0 = _servers()
        for _ in range(args.checkouts):
            with count_redis_trips() as trips:
                c0 = time.process_time()
                checkout()
                web["cpu"] += time.process_time() - c0
            web["trips"] += trips[0]
        server1 = _servers()
        mail.outbox = []
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        timing["on"] = True
        total = drain(timed=True, profiler=profiler)
        timing["on"] = False
        server2 = _servers()
        sent = len(mail.outbox)
        queue.purge()

    n = args.checkouts
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"# Celery worker CPU per checkout, in process; {n} checkouts, {sent} e-mails; load average {load}")
    print(f"{'task (message)':<40} {'messages':>9} {'CPU ms per checkout':>20}")
    for name in sorted(by_task, key=by_task.get, reverse=True):
        print(f"{name:<40} {by_task_n[name]:9d} {by_task[name] * 1000 / n:20.2f}")
    print(f"{'total':<40} {sum(by_task_n.values()):9d} {total * 1000 / n:20.2f}")
    print(
        f"\nservers, CPU ms per checkout (PostgreSQL: this process's backend; Redis: the whole server, INFO cpu):"
        f"\n  checkouts (the setup's cart line included): PostgreSQL {_delta(server0, server1, 0, n)}, Redis"
        f" {_delta(server0, server1, 1, n)}; Redis round trips {web['trips'] / n:.2f}, this process"
        f" {web['cpu'] * 1000 / n:.2f}"
        f"\n  the worker's messages: PostgreSQL {_delta(server1, server2, 0, n)},"
        f" Redis {_delta(server1, server2, 1, n)}"
    )
    print(f"\n{'inside skincare.deferred_run: task run':<40} {'runs':>9} {'CPU ms per checkout':>20}")
    for name in sorted(inner, key=inner.get, reverse=True):
        print(f"{name:<40} {inner_n[name]:9d} {inner[name] * 1000 / n:20.2f}")

    if profiler:
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        project = tuple(str(ROOT / app_dir) for app_dir in ("shop", "feedback", "reviews", "ml", "skincare"))
        print(f"\nproject functions by cumulative CPU time, per checkout (ms, profiled), top {args.top}:")
        print_functions(
            stats,
            per=n,
            top=args.top,
            where=lambda filename: os.path.relpath(filename, ROOT),
            keep=lambda filename: filename.startswith(project),
        )
        print(f"\nall functions by cumulative CPU time, per checkout (ms, profiled), top {args.top}:")
        print_functions(stats, per=n, top=args.top, key="cumulative", where=lambda f: f.split("site-packages/")[-1])
        print(f"\nall functions by internal CPU time, per checkout (ms, profiled), top {args.top}:")
        print_functions(stats, per=n, top=args.top, key="tottime", where=lambda f: f.split("site-packages/")[-1])
    return 0


def _servers():
    """``(PostgreSQL backend (pid, ns), Redis CPU seconds)`` so far."""
    from cart_cpu import backend_cpu
    from django.core.cache import cache

    try:
        info = cache.client.get_client(write=True).info("cpu")
        redis = info["used_cpu_user"] + info["used_cpu_sys"]
    except Exception:  # noqa: BLE001 - not Redis
        redis = None
    return backend_cpu(), redis


def _delta(before, after, index, n):
    a, b = before[index], after[index]
    if a is None or b is None:
        return "n/a"
    if index == 0:
        return f"{(b[1] - a[1]) / 1e6 / n:.3f}" if a[0] == b[0] else "n/a (reconnected)"
    return f"{(b - a) * 1000 / n:.3f}"


def worker_process(args, checkout, user_ids):
    """``--worker``: CPU ms per checkout of a real worker's main process and pool processes."""
    import shlex

    from django.core.cache import cache
    from django.db import connection

    def sessions():
        """Connections opened to the database so far (PostgreSQL's statistics)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    options = shlex.split(args.worker)
    if "--loglevel" not in options and "-l" not in options:
        options += ["--loglevel", "warning"]
    plumbing = argparse.Namespace(broker=args.broker, queue=args.queue, server_log=False)
    worker = start_worker(plumbing, env=dict(os.environ), options=options)

    def cpu():
        """``(main, pool)`` CPU seconds of the worker's process and of its descendants."""
        stats = _proc_stats()
        pool, stack = 0.0, [pid for pid, (parent, *_) in stats.items() if parent == worker.pid]
        while stack:
            pid = stack.pop()
            pool += stats[pid][1]
            stack.extend(child for child, (parent, *_) in stats.items() if parent == pid)
        return stats[worker.pid][1], pool

    def idle_after(deadline):
        """Wait until ``deadline`` has passed, the queue has no message ready and the worker's CPU stopped
        moving for a second (the refreshes held for their countdown have run)."""
        with broker_connection(plumbing) as conn, conn.channel() as channel:
            last = None
            while True:
                time.sleep(1)
                now = sum(cpu())
                if time.time() > deadline and queue_state(channel, args.queue)[0] == 0 and last is not None:
                    if now - last < 0.005:
                        return
                last = now

    try:
        time.sleep(2)
        c0, w0 = cpu(), time.time()
        time.sleep(10)
        c1, w1 = cpu(), time.time()
        idle = [(b - a) / (w1 - w0) for a, b in zip(c0, c1, strict=True)]  # CPU seconds per second, idle
        for _ in range(args.warmup):
            checkout()
        idle_after(time.time() + 32)
        before, started, sessions_before = cpu(), time.time(), sessions()
        for _ in range(args.checkouts):
            checkout()
        idle_after(time.time() + 32)
        after, ended, opened = cpu(), time.time(), sessions() - sessions_before
        pending = sum(cache.get(f"ml:recommendations:refresh:{user_id}") is not None for user_id in user_ids)
    finally:
        stop_worker(plumbing, worker)
    n = args.checkouts
    spent = [(b - a - rate * (ended - started)) * 1000 / n for a, b, rate in zip(before, after, idle, strict=True)]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"# celery worker {' '.join(options)}: {n} checkouts, CPU ms per checkout; load average {load}")
    window = ended - started
    print(
        f"#   idle CPU subtracted: {idle[0] * 1000:.2f} / {idle[1] * 1000:.2f} ms/s (main / pool) over {window:.0f} s"
    )
    print(f"#   refresh claims still held at the end: {pending} (0: every queued refresh ran)")
    print(f"#   PostgreSQL connections opened per checkout: {opened / n:.2f}")
    print(f"{'main process':<20} {spent[0]:8.2f}")
    print(f"{'pool processes':<20} {spent[1]:8.2f}")
    print(f"{'total':<20} {sum(spent):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
