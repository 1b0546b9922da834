"""Shopper writes in-process: checkout (test card), add to cart, cart GET, order list (500 orders)
and notifications, with SQL statements, transactions and time per request, as ratios to
``/health`` measured in the same run.

Runs against a throw-away test database (``test_<name>``, created and dropped by Django's test
runner) with real commits, so ``on_commit`` work (e-mails, notifications, analytics) runs as it
does in production without a broker (Celery eager)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare REDIS_URL=redis://127.0.0.1:6379/0 \\
      python benchmarks/writes.py --rounds 30

``--profile checkout`` prints the top cumulative functions of one more checkout (cProfile).
``--lines 1,20`` sets the cart sizes whose checkout statement counts are printed.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")


class Counter:
    """Counts statements and commits on the default connection."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = 0
        self.commits = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.statements = self.commits = 0
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        original = self.connection._commit

        def commit():
            self.commits += 1
            return original()

        self.connection._commit = commit
        return self

    def __exit__(self, *exc):
        del self.connection._commit
        self._wrapper.__exit__(*exc)


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(fraction * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--lines", default="1,20")
    parser.add_argument("--profile", choices=["checkout", "add", "cart", "orders", "notifications"])
    parser.add_argument("--sql", action="store_true", help="print the statements of that request instead")
    parser.add_argument("--explain", action="store_true", help="with --sql: EXPLAIN (ANALYZE, BUFFERS) each SELECT")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args, connection)
    finally:
        teardown_databases(old, verbosity=0)


def run(args, connection):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from shop.accounts.tests.factories import AddressFactory, UserFactory
    from shop.cart.models import Cart, CartLine
    from shop.cart.tests.factories import ProductFactory
    from shop.orders.models import Order

    cache.clear()
    products = [ProductFactory(price=Decimal("10.00") + i, stock_quantity=10**6) for i in range(20)]
    anonymous = APIClient()

    def shopper():
        user = UserFactory()
        AddressFactory(user=user, is_default=True)
        client = APIClient()
        client.force_authenticate(user)
        return user, client

    def fill(user, count):
        cart, _ = Cart.objects.get_or_create(user=user)
        CartLine.objects.bulk_create(CartLine(cart=cart, product=p, quantity=1) for p in products[:count])

    def checkout(client):
        response = client.post("/api/v1/orders", {"payment_method": "card", "card_number": "4242424242424242"}, "json")
        assert response.status_code == 201, response.content
        return response

    def measure(name, call, prepare=None, rounds=args.rounds):
        times, counts = [], []
        for _ in range(rounds):
            if prepare:
                prepare()
            with Counter(connection) as counter:
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
            counts.append((counter.statements, counter.commits))
        return name, times, counts[-1]

    rows = []
    rows.append(measure("/health", lambda: anonymous.get("/health")))

    user, client = shopper()
    # Checkout statements per cart size (one user, many orders).
    for size in [int(n) for n in args.lines.split(",")]:
        rows.append(measure(f"checkout, {size} line(s)", lambda: checkout(client), lambda s=size: fill(user, s)))

    # Cart GET with 3 lines, add to cart.
    cart_user, cart_client = shopper()
    fill(cart_user, 3)
    cart_client.get("/api/v1/cart")
    rows.append(measure("cart GET (3 lines)", lambda: cart_client.get("/api/v1/cart")))
    add_user, add_client = shopper()

    def add():
        response = add_client.post("/api/v1/cart/items", {"product_id": products[5].pk, "quantity": 1}, "json")
        assert response.status_code in (200, 201), response.content

    rows.append(measure("add to cart", add, lambda: CartLine.objects.filter(cart__user=add_user).delete()))

    # Order list and notifications of a shopper with 500 orders.
    many_user, many_client = shopper()
    template = Order.objects.filter(user=user).first()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Order._meta.concrete_fields
        if f.attname not in ("id", "order_number", "user_id", "idempotency_key", "created_at", "updated_at")
    }
    Order.objects.bulk_create(
        Order(**{**fields, "order_number": f"BENCH{i:06d}", "user_id": many_user.pk}) for i in range(500)
    )
    from feedback.models import Notification

    Notification.objects.bulk_create(
        Notification(user=many_user, type="order_update", title=f"Order {i}", message="Shipped.") for i in range(200)
    )
    rows.append(measure("order list (500 orders)", lambda: many_client.get("/api/v1/orders")))
    rows.append(measure("notifications (200)", lambda: many_client.get("/api/v1/notifications")))

    health = statistics.median(rows[0][1])
    print(f"{'request':28} {'p50 ms':>8} {'p95 ms':>8} {'× /health':>10} {'statements':>11} {'commits':>8}")
    for name, times, (statements, commits) in rows:
        p50 = statistics.median(times)
        print(f"{name:28} {p50:8.1f} {percentile(times, 0.95):8.1f} {health / p50:10.3f} {statements:11d} {commits:8d}")

    if args.profile:
        calls = {
            "checkout": (lambda: checkout(client), lambda: fill(user, 3)),
            "add": (add, lambda: CartLine.objects.filter(cart__user=add_user).delete()),
            "cart": (lambda: cart_client.get("/api/v1/cart"), None),
            "orders": (lambda: many_client.get("/api/v1/orders"), None),
            "notifications": (lambda: many_client.get("/api/v1/notifications"), None),
        }
        call, prepare = calls[args.profile]
        if prepare:
            prepare()
        if args.sql:
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                call()
            for number, query in enumerate(queries.captured_queries, 1):
                print(f"{number:3d} {query['time']:>6} {query['sql'][:160]}")
                if args.explain and query["sql"].startswith("SELECT") and connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        print("\n".join("      " + row[0] for row in cursor.fetchall()))
            return
        profiler = cProfile.Profile()
        profiler.runcall(call)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
