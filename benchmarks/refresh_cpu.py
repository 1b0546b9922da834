"""The recommendation refresh's CPU per refreshed user, in process: one user at a time (what one message per
shopper did) against one batch of N users (``recommendations_users_refresh``, what one batch message per
window does), for the same users, alternating. The process's CPU (``time.process_time``) and the PostgreSQL
server process's (``/proc/<pid>/schedstat`` of Django's connection) are read around each run.

Users: buyers spread over the user ids. It scores against the saved fit under ``ML_MODEL_DIR`` (``--fit``
runs the nightly precompute first, which writes every list and saves a fit). It rewrites the users' lists,
so run it on a copy of the demo database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_me_s3 ML_MODEL_DIR=/tmp/me_models \\
        python benchmarks/refresh_cpu.py --sizes 1 10 50 --rounds 3 [--fit] [--profile 50]

``--dump FILE`` writes the lists the one-at-a-time refresh wrote for the largest size's users (with a fixed
time), as JSON, and ``--dump-batched FILE`` those a batch wrote: run it on two commits to compare the lists.
On a commit without batches only the one-at-a-time rows are measured.
"""

import argparse
import cProfile
import json
import pstats
import statistics
import time
from datetime import UTC, datetime

from _inprocess import django_setup, logs_to_devnull, print_functions, where_in_project
from cart_cpu import backend_cpu

FIXED_NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def spent(run):
    """(process CPU ms, PostgreSQL server CPU ms) of ``run()``."""
    server = backend_cpu()
    start = time.process_time()
    run()
    cpu = (time.process_time() - start) * 1000
    after = backend_cpu()
    return cpu, (after[1] - server[1]) / 1e6 if server and after and after[0] == server[0] else 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fit", action="store_true", help="run the nightly precompute first (saves a fit)")
    parser.add_argument("--profile", type=int, help="cProfile a batch of this many users, then a user at a time")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", help="the one-at-a-time lists of the largest size's users, as JSON")
    parser.add_argument("--dump-batched", help="the batch's lists of the same users, as JSON")
    args = parser.parse_args(argv)
    django_setup(DB_CONN_MAX_AGE="60")
    logs_to_devnull()

    from ml import recommendations
    from ml.etl.common import PURCHASED
    from ml.models import AnalyticsDocument
    from shop.orders.models import OrderItem

    if args.fit:
        start = time.perf_counter()
        recommendations.recommendations_precompute(progress=lambda done, total: None)
        print(f"nightly precompute: {time.perf_counter() - start:.1f} s")
    purchased = OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False)
    buyers = list(purchased.values_list("order__user_id", flat=True).distinct().order_by("order__user_id"))
    largest = max(args.sizes + [args.profile or 0])
    users = buyers[:: max(1, len(buyers) // largest)][:largest]
    one = recommendations.recommendations_user_refresh
    batch = getattr(recommendations, "recommendations_users_refresh", None)  # None before the batches
    one(user_id=users[0])  # the saved fit, read once per process

    def lists(ids):
        docs = AnalyticsDocument.objects.filter(collection="product_recommendations", key__in=[str(u) for u in ids])
        return {doc.key: doc.doc for doc in docs}

    if args.dump or args.dump_batched:
        ids = users[: max(args.sizes)]
        for user in ids:
            one(user_id=user, now=FIXED_NOW)
        dumped = {args.dump: lists(ids)}
        if batch and args.dump_batched:
            AnalyticsDocument.objects.filter(collection="product_recommendations", key__in=map(str, ids)).delete()
            batch(user_ids=ids, now=FIXED_NOW)
            dumped[args.dump_batched] = lists(ids)
        for path, documents in dumped.items():
            if path:
                with open(path, "w") as out:
                    json.dump(documents, out, sort_keys=True, indent=1)
                print(f"{len(documents)} lists of {len(ids)} users written to {path}")

    def modes(ids):
        runs = {"one at a time": lambda: [one(user_id=u) for u in ids]}
        if batch:
            runs["batch"] = lambda: batch(user_ids=ids)
        return runs

    if args.profile:
        for mode, run in modes(users[: args.profile]).items():
            profiler = cProfile.Profile()
            profiler.runcall(run)
            for key in ("cumulative", "tottime"):
                print(f"\n== cProfile, {mode}, {args.profile} users: {key} ms per user")
                print_functions(pstats.Stats(profiler), per=args.profile, top=args.top, key=key, where=where_in_project)
        return

    figures = {}
    for _ in range(args.rounds):
        for size in args.sizes:
            for mode, run in modes(users[:size]).items():
                cpu, server = spent(run)
                figures.setdefault((size, mode), []).append((cpu / size, server / size))
    print(f"{len(buyers)} buyers; users {users[:5]}...; median of {args.rounds} rounds, CPU ms per refreshed user")
    print(f"{'users':>5} {'mode':14} {'process':>8} {'PostgreSQL':>11} {'total':>8}   rounds (process)")
    for (size, mode), values in figures.items():
        cpu = statistics.median(v[0] for v in values)
        server = statistics.median(v[1] for v in values)
        per_round = " / ".join(f"{v[0]:.2f}" for v in values)
        print(f"{size:>5} {mode:14} {cpu:8.2f} {server:11.2f} {cpu + server:8.2f}   {per_round}")


if __name__ == "__main__":
    main()
