"""The cart rows in process: CPU time per request as a ratio to ``/health``, and exact counts.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/cart_cpu.py --requests 600 --rounds 3 [--profile ROW] [--top 50]

With the settings ``benchmarks/hot_paths.py`` gives its gunicorn (``benchmarks/request_cpu.py``'s
``BENCH_ENV``: ``DEBUG=false``, one proxy, ``X-Query-Count``, prometheus multiprocess directory,
request log lines written to ``/dev/null``), three demo shoppers signed in through
``POST /api/v1/auth/login`` (JWT, as the apps do), Django's test ``Client`` through the whole stack:

* ``health``: ``GET /health``, the baseline of the same run;
* ``cart GET (3 lines)``: ``GET /api/v1/cart`` of a cart with three products;
* ``add, new line``: ``POST /api/v1/cart/items`` of a product the (empty) cart does not hold (timed),
  then ``DELETE`` of the line (not timed);
* ``add, existing line``: ``POST /api/v1/cart/items`` of a product the cart already holds once,
  beside two other lines (timed), then ``PATCH`` of its quantity back to 1 (not timed).

Each round runs every row in ``--blocks`` interleaved blocks (so a change of machine load hits
``/health`` and the rows alike); printed: the median over the rounds of CPU ms per request
(``time.process_time``) and of its ratio to ``/health`` (``/health``'s CPU ms ÷ the row's: the
throughput ratio one worker would reach if CPU were all), and per request the exact SQL
statements (Django 5 logs ``BEGIN``/``COMMIT`` too), Redis round trips and Python function calls.
``--profile ROW`` prints a cProfile (CPU time) of that row's requests instead.

The PostgreSQL server's CPU for each timed request is read too (``/proc/<pid>/schedstat`` of the connection's
server process, on this machine): "DB CPU ms" per request, and "x /health with DB", ``/health``'s CPU ÷ the
row's CPU plus its server CPU. Under ``hot_paths.py`` the server shares the cores with the workers, so a
statement that is dear to plan costs throughput that the process's own CPU does not show. ``--sections``
prints the CPU µs of each stage of the request per row instead; ``--dump FILE`` keeps ``--profile``'s data.
"""

import argparse
import collections
import cProfile
import importlib
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _inprocess import BENCH_ENV, count_redis_trips, django_setup, logs_to_devnull, print_profile, test_client

PASSWORD = "skincare-demo"  # noqa: S105 - shop.accounts.demo.DEMO_PASSWORD
SHOPPERS = ["shopper1@skincare.local", "shopper2@skincare.local", "shopper3@skincare.local"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per row and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--profile", help="a row name: cProfile its requests instead of timing")
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--dump", help="with --profile: also write the profile to this file (pstats)")
    parser.add_argument("--sections", action="store_true", help="CPU µs per request in each section, per row")
    parser.add_argument(
        "--explain", action="store_true", help="planning and execution ms of the lines' statements, ORM vs planned"
    )
    args = parser.parse_args(argv)

    django_setup(
        **BENCH_ENV,
        THROTTLE_USER="100000000/min",
        PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="cart-cpu-metrics-"),
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop.catalog.models import Product, ProductStatus

    logs_to_devnull()

    client = test_client(HTTP_ACCEPT="application/json", HTTP_X_FORWARDED_FOR="10.9.8.7")

    def post(path, body, auth):
        return client.post(path, body, content_type="application/json", **auth)

    def login(email):
        answer = post("/api/v1/auth/login", {"email": email, "password": PASSWORD}, {})
        assert answer.status_code == 200, answer.content
        return {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['data']['access']}"}

    products = list(
        Product.objects.filter(status=ProductStatus.ACTIVE, stock_quantity__gte=20, variants__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:6]
    )
    cart_auth, new_auth, existing_auth = (login(email) for email in SHOPPERS)
    for auth in (cart_auth, new_auth, existing_auth):
        assert client.delete("/api/v1/cart", **auth).status_code == 200
    for product_id in products[:3]:
        assert post("/api/v1/cart/items", {"product_id": product_id}, cart_auth).status_code == 201
    for product_id in products[3:6]:
        answer = post("/api/v1/cart/items", {"product_id": product_id}, existing_auth)
        assert answer.status_code == 201
    existing_line = next(item["id"] for item in answer.json()["data"]["items"] if item["product"]["id"] == products[5])

    def health():
        return client.get("/health"), 200, None

    def cart_get():
        return client.get("/api/v1/cart", **cart_auth), 200, None

    def add_new():
        answer = post("/api/v1/cart/items", {"product_id": products[0], "quantity": 1}, new_auth)

        def undo():
            for item in answer.json()["data"]["items"]:
                client.delete(f"/api/v1/cart/items/{item['id']}", **new_auth)

        return answer, 201, undo

    def add_existing():
        answer = post("/api/v1/cart/items", {"product_id": products[5], "quantity": 1}, existing_auth)

        def undo():
            client.patch(
                f"/api/v1/cart/items/{existing_line}", {"quantity": 1}, content_type="application/json", **existing_auth
            )

        return answer, 201, undo

    rows = {
        "health": health,
        "cart GET (3 lines)": cart_get,
        "add, new line": add_new,
        "add, existing line": add_existing,
    }

    def run(step, n, profiler=None, sections=None, database=None):
        """CPU seconds of ``n`` requests of ``step``, its undo steps not counted (nor timed in ``sections``).
        ``database``: ``[seconds, requests]`` to which the database server's CPU for the requests is added."""
        cpu = 0.0
        for _ in range(n):
            before = backend_cpu() if database is not None else None
            started = time.process_time()
            if profiler:
                profiler.enable()
            if sections is not None:
                sections[_ON] = True
            answer, expected, undo = step()
            if sections is not None:
                sections[_ON] = False
            if profiler:
                profiler.disable()
            cpu += time.process_time() - started
            if before is not None:
                after = backend_cpu()
                if after is not None and after[0] == before[0]:  # the same server process (no reconnection)
                    database[0] += (after[1] - before[1]) / 1e9
                    database[1] += 1
            if answer.status_code != expected:
                raise SystemExit(f"{step.__name__} answered {answer.status_code}: {answer.content[:300]}")
            if undo:
                undo()
        return cpu

    if args.explain:
        explain_lines_statements(cart_auth_user=SHOPPERS[0], product_id=products[3])
        return 0

    spent = install_section_timers() if args.sections else None
    for step in rows.values():  # warm-up: caches filled, per-thread compiled queries made
        run(step, 20)

    if args.sections:
        print_sections(rows, run, args.requests, spent)
        return 0

    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        run(rows[args.profile], args.requests, profiler)
        print_profile(profiler, name=args.profile, per=args.requests, top=args.top)
        if args.dump:
            profiler.dump_stats(args.dump)
        return 0

    per_block = max(1, args.requests // args.blocks)
    results = {name: [] for name in rows}
    for _ in range(args.rounds):
        cpu = dict.fromkeys(rows, 0.0)
        database = {name: [0.0, 0] for name in rows}
        for _ in range(args.blocks):
            for name, step in rows.items():
                cpu[name] += run(step, per_block, database=database[name])
        n = per_block * args.blocks
        for name in rows:
            db_ms = database[name][0] / max(1, database[name][1]) * 1000
            health_ms = cpu["health"] / n * 1000 + database["health"][0] / max(1, database["health"][1]) * 1000
            ms = cpu[name] / n * 1000
            results[name].append((ms, cpu["health"] / cpu[name], db_ms, health_ms / (ms + db_ms)))

    import shop.cart.services

    print(f"code: {Path(shop.cart.services.__file__).parent.parent.parent}")
    print(f"{per_block * args.blocks} requests per row x {args.rounds} rounds, load average {os.getloadavg()}")
    print(
        f"{'row':22} {'CPU ms':>7} {'x /health':>10} {'per round':>18} {'DB CPU ms':>10} {'x /health with DB':>18} "
        f"{'statements':>11} {'Redis':>6} {'calls':>6}"
    )
    counted = 20
    for name, step in rows.items():
        statements = trips = calls = 0
        for _ in range(counted):
            with CaptureQueriesContext(connection) as queries, count_redis_trips() as trip_count:
                _, _, undo = step()
            statements += len(queries)
            trips += trip_count[0]
            if undo:
                undo()
            profiler = cProfile.Profile()
            profiler.enable()
            _, _, undo = step()
            profiler.disable()
            calls += sum(stat[1] for stat in pstats.Stats(profiler).stats.values())
            if undo:
                undo()
        ms = statistics.median(row[0] for row in results[name])
        ratio = statistics.median(row[1] for row in results[name])
        per_round = " / ".join(f"{row[1]:.2f}" for row in results[name])
        db_ms = statistics.median(row[2] for row in results[name])
        with_db = statistics.median(row[3] for row in results[name])
        print(
            f"{name:22} {ms:7.3f} {ratio:10.2f} {per_round:>18} {db_ms:10.3f} {with_db:18.2f} "
            f"{statements / counted:11.1f} {trips / counted:6.1f} {calls / counted:6.0f}"
        )
    return 0


# What ``--sections`` times, outermost first (as ``request_cpu.py``'s, with the cart's stages): label -> the dotted
# path of a function, a method or a property.
SECTIONS = {
    "get_response (the whole request)": "django.core.handlers.base.BaseHandler.get_response",
    "view stage (below the middleware)": "django.core.handlers.base.BaseHandler._get_response",
    "view: resolve URL": "django.core.handlers.base.BaseHandler.resolve_request",
    "DRF dispatch": "rest_framework.views.APIView.dispatch",
    "  initialize_request": "rest_framework.views.APIView.initialize_request",
    "  authentication": "rest_framework.views.APIView.perform_authentication",
    "    the user (auth_user_get)": "shop.accounts.authentication.auth_user_get",
    "  permissions": "rest_framework.views.APIView.check_permissions",
    "  throttles": "rest_framework.views.APIView.check_throttles",
    "    script call (round trip)": "skincare.api.throttling._run_script",
    "  cart GET view": "shop.cart.apis.CartApi.get",
    "  add view": "shop.cart.apis.CartItemsApi.post",
    "    body (cart_add_input)": "shop.cart.apis.cart_add_input",
    "    cart_resolve": "shop.cart.services.cart_resolve",
    "    cart_resolve_add_line": "shop.cart.services.cart_resolve_add_line",
    "      statement (_compiled_fetch)": "shop.cart.selectors._compiled_fetch",
    "      lines-cache bump": "shop.cart.services.cart_cache_invalidate",
    "    respond": "shop.cart.apis.CartBaseApi.respond",
    "      answer memo": "shop.cart.apis.cart_answer_memo",
    "      answer (lines, prices, output)": "shop.cart.apis.CartBaseApi.answer",
    "  finalize_response": "rest_framework.views.APIView.finalize_response",
    "rendering (rendered_content)": "rest_framework.response.Response.rendered_content",
    "request log line": "logging.Logger.info",
}


def _owner(dotted):
    """``(the module or class holding the last name of dotted, that name)``; a method is looked up on the
    class of the MRO that defines it."""
    path, name = dotted.rsplit(".", 1)
    try:
        owner = importlib.import_module(path)
    except ImportError:
        module, klass = path.rsplit(".", 1)
        owner = getattr(importlib.import_module(module), klass)
        owner = next(cls for cls in owner.__mro__ if name in cls.__dict__)
    return owner, name


def explain_lines_statements(*, cart_auth_user, product_id, runs=7):
    """Median ``Planning Time`` and ``Execution Time`` of ``EXPLAIN (ANALYZE, BUFFERS)`` of the cart GET's
    statement and of the add's lines statement, as the ORM compiles them, as ``selectors._lines_sql`` writes
    them, and prepared (``skincare.prepared``, after six runs: PostgreSQL's generic plan), for the cart of
    ``cart_auth_user`` (its e-mail); and of the addition's statement of ``product_id`` (no variant), plain and
    prepared, in a transaction rolled back."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from shop.accounts.models import User
    from shop.cart import lock_objects, selectors
    from shop.cart.models import Cart
    from skincare.prepared import Prepared

    user = User.objects.get(email=cart_auth_user)
    cart_id = Cart.objects.get(user=user).pk
    now = timezone.now()
    add = {"limit": 99, "product": product_id, "variant": None, "quantity": 1, "now": now, "user": user.pk}
    add["fresh"] = now - timedelta(days=30)
    add_sql, add_types = lock_objects._CHECKED_ADD_SQL[False, True], lock_objects._CHECKED_ADD_TYPES[True]

    def prepared(label, sql, types, params):
        statement = Prepared(f"cart_cpu_{label}", sql, list(types))
        with connection.cursor() as cursor:
            for _ in range(6):  # custom plans first, then the generic one
                statement.run(cursor, params)
        return statement.execute, params

    statements = {
        "cart GET (with the cart), ORM": selectors._user_cart_lines_queryset(user.pk).query.sql_with_params(),
        "cart GET (with the cart), planned": (selectors._lines_sql(by_user=True), [user.pk]),
        "cart GET (with the cart), prepared": prepared(
            "get", selectors._lines_sql(by_user=True, param="$1"), ["bigint"], [user.pk]
        ),
        "lines by cart (the add's answer), ORM": selectors._lines_queryset(cart_id).query.sql_with_params(),
        "lines by cart (the add's answer), planned": (selectors._lines_sql(by_user=False), [cart_id]),
        "lines by cart (the add's answer), prepared": prepared(
            "lines", selectors._lines_sql(by_user=False, param="$1"), ["bigint"], [cart_id]
        ),
        "addition by user, planned": (add_sql, add),
    }
    with transaction.atomic():
        statements["addition by user, prepared"] = prepared(
            "add",
            add_sql % {name: f"${n}" for n, name in enumerate(add_types, 1)},
            add_types.values(),
            [add[name] for name in add_types],
        )
        with connection.cursor() as cursor:
            for name, (sql, params) in statements.items():
                times = {"Planning Time": [], "Execution Time": []}
                for _ in range(runs):
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    for (line,) in cursor.fetchall():
                        label, _, value = line.partition(": ")
                        if label in times:
                            times[label].append(float(value.split()[0]))
                planning, execution = (statistics.median(times[label]) for label in times)
                print(f"{name:45} planning {planning:6.3f} ms  execution {execution:6.3f} ms  (median of {runs})")
        transaction.set_rollback(True)  # the additions


def backend_cpu():
    """``(pid, CPU ns used so far)`` of the PostgreSQL server process behind Django's connection (its
    ``/proc/<pid>/schedstat``: the server runs on this machine), or None (no connection, not PostgreSQL)."""
    from django.db import connection

    raw = connection.connection
    if raw is None or connection.vendor != "postgresql":
        return None
    pid = raw.info.backend_pid
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return pid, int(stat.read().split()[0])
    except OSError:
        return None


_ON = "timing"  # a key of the sections' ``spent``: true while a timed step runs (not its undo step)


def _timer(spent, label, function):
    """``function``, adding its CPU seconds to ``spent[label]`` while ``spent[_ON]`` (inclusive)."""

    def timed(*args, **kwargs):
        if not spent[_ON]:
            return function(*args, **kwargs)
        started = time.process_time()
        answer = function(*args, **kwargs)  # an exception ends the run: its time is not needed
        spent[label] += time.process_time() - started
        return answer

    return timed


def install_section_timers():
    """Time each section of ``SECTIONS`` (a function, a method or a property's getter):
    ``{label: CPU seconds}``, filled while ``spent[_ON]`` is true."""
    spent = collections.defaultdict(float)
    spent[_ON] = False
    for label, dotted in SECTIONS.items():
        owner, attribute = _owner(dotted)
        found = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
        if isinstance(found, property):
            setattr(owner, attribute, property(_timer(spent, label, found.fget)))
        else:
            setattr(owner, attribute, _timer(spent, label, found))
    return spent


def print_sections(rows, run, n, spent):
    """CPU µs per request of each section of ``SECTIONS``, per row (inclusive; its undo steps not timed)."""
    labels = list(SECTIONS)
    for name, step in rows.items():
        for label in labels:
            spent.pop(label, None)
        total = run(step, n, sections=spent)
        print(f"== {name}: {total / n * 1e6:.0f} µs CPU per request (with the timers)")
        print("\n".join(f"   {label:40} {spent[label] / n * 1e6:8.1f}" for label in labels if label in spent))


if __name__ == "__main__":
    sys.exit(main())
