"""Signed-in cart requests in-process: CPU time and SQL statements per request, as a ratio to ``/health``.

    DEBUG=false SECRET_KEY=x DATABASE_URL=... REDIS_URL=... python benchmarks/cart_requests.py --repeat 300
    ... python benchmarks/cart_requests.py --profile "cart GET" --repeat 200      # + cProfile of that row

A demo shopper signs in through ``POST /api/v1/auth/login`` (JWT, as the mobile apps and
``hot_paths.py`` do); their cart is filled with three active products in stock. Rows, through
Django's test ``Client`` and the whole middleware stack (``DEBUG`` off):

* ``health``: ``GET /health``, the baseline of the same run;
* ``cart GET``: ``GET /api/v1/cart`` of the three-line cart;
* ``add to cart``: ``POST /api/v1/cart/items`` of one product to a second shopper's empty cart
  (timed), then ``DELETE`` of the line (not timed), like ``hot_paths.py``;
* ``me``: ``GET /api/v1/auth/me`` (the profile: a signed-in request that reads the user's row).

CPU time (``time.process_time``) survives a loaded machine far better than wall-clock time; the
ratio of a row's CPU ms to ``/health``'s in the same run is the figure to compare between trees.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

from _inprocess import django_setup, print_functions, test_client, where_in_project

django_setup(THROTTLE_USER="1000000/min")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PASSWORD = "skincare-demo"  # noqa: S105 - shop.accounts.demo.DEMO_PASSWORD


def _client():
    return test_client(HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="127.0.0.1")


def _login(client, email):
    answer = client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    return {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['data']['access']}"}


def _products(n):
    from shop.catalog.models import Product, ProductStatus

    return list(
        Product.objects.filter(status=ProductStatus.ACTIVE, stock_quantity__gte=20, variants__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="median of this many rounds per row")
    parser.add_argument("--profile", help="cProfile this row after measuring")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--shoppers", nargs=2, default=["shopper1@skincare.local", "shopper2@skincare.local"])
    args = parser.parse_args(argv)

    client = _client()
    cart_auth, add_auth = _login(client, args.shoppers[0]), _login(client, args.shoppers[1])
    products = _products(4)
    for auth in (cart_auth, add_auth):
        assert client.delete("/api/v1/cart", **auth).status_code == 200
    for product_id in products[:3]:
        answer = client.post(
            "/api/v1/cart/items", {"product_id": product_id}, content_type="application/json", **cart_auth
        )
        assert answer.status_code == 201, answer.content

    def health():
        return client.get("/health"), None

    def cart_get():
        return client.get("/api/v1/cart", **cart_auth), None

    def add_to_cart():
        answer = client.post(
            "/api/v1/cart/items",
            {"product_id": products[3], "quantity": 1},
            content_type="application/json",
            **add_auth,
        )
        return answer, lambda: [
            client.delete(f"/api/v1/cart/items/{line['id']}", **add_auth) for line in answer.json()["data"]["items"]
        ]

    def me():
        return client.get("/api/v1/auth/me", **cart_auth), None

    rows = {"health": (health, 200), "cart GET": (cart_get, 200), "add to cart": (add_to_cart, 201), "me": (me, 200)}

    def run(step, expected, repeat, profiler=None):
        cpu = statements = 0.0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                if profiler:
                    profiler.enable()
                answer, undo = step()
                if profiler:
                    profiler.disable()
                cpu += time.process_time() - started
            assert answer.status_code == expected, (answer.status_code, answer.content[:300])
            statements += len(queries.captured_queries)
            if undo:
                undo()
        return cpu / repeat * 1000, statements / repeat

    for step, expected in rows.values():  # warm-up: caches filled, code imported
        for _ in range(5):
            run(step, expected, 1)
    results = {name: [] for name in rows}
    for _ in range(args.rounds):
        for name, (step, expected) in rows.items():
            results[name].append(run(step, expected, args.repeat))
    health_ms = statistics.median(ms for ms, _ in results["health"])
    print(f"{args.repeat} requests x {args.rounds} rounds, median CPU ms per request; load average {os.getloadavg()}")
    print(f"{'row':<14}{'CPU ms':>9}{'x /health':>11}{'statements':>12}")
    for name, figures in results.items():
        ms = statistics.median(ms for ms, _ in figures)
        print(f"{name:<14}{ms:9.2f}{ms / health_ms:11.2f}{figures[0][1]:12.1f}")

    if args.profile:
        step, expected = rows[args.profile]
        profiler = cProfile.Profile(time.process_time)  # CPU time, as the figures above
        run(step, expected, args.repeat, profiler)
        print(f"\n{args.profile}: functions by cumulative CPU time (per request, ms), top {args.top}:")
        print_functions(pstats.Stats(profiler), per=args.repeat, top=args.top, where=where_in_project)
    return 0


if __name__ == "__main__":
    sys.exit(main())
