"""Checkout under concurrent load on PostgreSQL: orders/s, p50/p95 latency and oversells.

Runs in-process against a throw-away test database (``test_<name>``, created and dropped
by Django's test runner), so it never touches real data::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_commerce \\
      python benchmarks/checkout.py --shoppers 400 --concurrency 16 --products 20 --stock 15

Every shopper has a cart of 1-3 random products (some with a coupon limited to
``--coupon-limit`` uses). Threads call ``order_place`` (cash on delivery, so no provider
time is measured) at the same time. Scarce stock makes most carts compete for the same
rows: that is the case the row locks exist for. ``oversold`` must be 0 (units sold beyond
stock, plus coupon uses beyond the limit).

Then the money race: ``--pay-orders`` orders whose card was declined get three ``order_pay``
calls and one ``order_cancel`` each, all at once, against the test card provider answering
after ``--provider-ms``. Its ledger (every charge and refund it performed) is compared with
the shop's rows: ``charges without a payment row``, ``orders charged twice`` and ``approved
charges on cancelled orders not refunded`` must all be 0.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--stock", type=int, default=15, help="units per product")
    parser.add_argument("--coupon-limit", type=int, default=25)
    parser.add_argument("--pay-orders", type=int, default=50, help="orders raced by 3x pay + cancel")
    parser.add_argument("--provider-ms", type=int, default=20, help="test card provider answer time")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: SQLite cannot run concurrent checkouts.")
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        failed = run(args, connections)
        failed = money_race(args, connections) or failed
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)
    if failed:
        sys.exit(1)


def run(args, connections):
    from django.db.models import Sum

    from shop.accounts.models import Address, User
    from shop.cart.models import Cart, CartLine
    from shop.cart.tests.factories import ProductFactory
    from shop.coupons.models import Coupon
    from shop.orders.models import OrderItem
    from shop.orders.services import order_place
    from skincare.errors import ApplicationError

    rng = random.Random(7)
    products = [ProductFactory(stock_quantity=args.stock) for _ in range(args.products)]
    coupon = Coupon.objects.create(code="BENCH", name="Bench", type="fixed", value=1, usage_limit=args.coupon_limit)
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.com", password="!") for i in range(args.shoppers)]  # noqa: S106
    )
    Address.objects.bulk_create(
        [Address(user=u, address_line1="1 St", city="PP", postal_code="1", country="KH") for u in users]
    )
    carts = Cart.objects.bulk_create([Cart(user=u, coupon=coupon if rng.random() < 0.3 else None) for u in users])
    CartLine.objects.bulk_create(
        [
            CartLine(cart=cart, product=p, quantity=rng.randint(1, 2))
            for cart in carts
            for p in rng.sample(products, k=rng.randint(1, 3))
        ]
    )
    connections.close_all()

    jobs = list(zip(users, carts, strict=True))
    latencies, outcomes, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(args.concurrency)

    def worker():
        barrier.wait()
        while True:
            with lock:
                if not jobs:
                    break
                user, cart = jobs.pop()
            started = time.perf_counter()
            try:
                order_place(user=user, cart=cart, payment_method="cash_on_delivery")
                outcome = "placed"
            except ApplicationError as exc:
                outcome = exc.error_code
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    sold = dict(OrderItem.objects.values_list("product_id").annotate(n=Sum("quantity")))
    oversold_units = 0
    for product in products:
        product.refresh_from_db()
        oversold_units += max(0, sold.get(product.pk, 0) - args.stock) + max(0, -product.stock_quantity)
    coupon.refresh_from_db()
    oversold_coupons = max(0, coupon.usages.count() - args.coupon_limit)
    placed = outcomes.get("placed", 0)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"checkouts attempted : {len(latencies)} ({args.concurrency} concurrent)")
    print(f"outcomes            : {dict(sorted(outcomes.items()))}")
    print(f"orders/s            : {placed / wall:.1f} placed ({len(latencies) / wall:.1f} attempts/s)")
    print(f"latency p50 / p95   : {statistics.median(latencies) * 1000:.1f} ms / {p95 * 1000:.1f} ms")
    print(f"units sold / stock  : {sum(sold.values())} / {args.stock * args.products}")
    print(f"coupon uses / limit : {coupon.used_count} / {args.coupon_limit}")
    print(f"oversold            : {oversold_units + oversold_coupons}")
    return bool(oversold_units or oversold_coupons)


def money_race(args, connections):
    """3x ``order_pay`` + ``order_cancel`` per order at once; compare the card ledger with the rows."""
    from shop.accounts.models import Address, User
    from shop.cart.models import Cart, CartLine
    from shop.cart.tests.factories import ProductFactory
    from shop.orders.models import Order, Payment
    from shop.orders.payments.test_card import TestCardProvider, card_ledger, card_ledger_clear
    from shop.orders.services import order_cancel, order_pay, order_place
    from skincare.errors import ApplicationError

    charge = TestCardProvider.charge

    def slow_charge(self, **kwargs):
        time.sleep(args.provider_ms / 1000)
        return charge(self, **kwargs)

    TestCardProvider.charge = slow_charge
    card_ledger_clear()
    product = ProductFactory(stock_quantity=args.pay_orders * 10)
    users = User.objects.bulk_create(
        [User(email=f"payer{i}@example.com", password="!") for i in range(args.pay_orders)]  # noqa: S106
    )
    Address.objects.bulk_create(
        [Address(user=u, address_line1="1 St", city="PP", postal_code="1", country="KH") for u in users]
    )
    orders = []
    for user in users:
        cart = Cart.objects.create(user=user)
        CartLine.objects.create(cart=cart, product=product, quantity=1)
        order, _, _ = order_place(user=user, cart=cart, payment_data={"card_number": "4000000000000002"})
        orders.append(order)
    connections.close_all()

    jobs = []
    for order in orders:
        jobs += [("pay", order)] * 3 + [("cancel", order)]
    random.Random(11).shuffle(jobs)
    outcomes, lock = {}, threading.Lock()
    barrier = threading.Barrier(args.concurrency)

    def worker():
        barrier.wait()
        while True:
            with lock:
                if not jobs:
                    break
                kind, order = jobs.pop()
            try:
                if kind == "pay":
                    order_pay(order=order, payment_method="card", payment_data={"card_number": "4242424242424242"})
                else:
                    order_cancel(order=order, by=order.user)
                outcome = f"{kind} ok"
            except ApplicationError as exc:
                outcome = f"{kind} {exc.error_code}"
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    TestCardProvider.charge = charge

    ledger = card_ledger()
    approved = [e for e in ledger if e["kind"] == "charge" and e["status"] == "completed"]
    refunded = {}
    for entry in ledger:
        if entry["kind"] == "refund":
            refunded[entry["payment_id"]] = refunded.get(entry["payment_id"], 0) + entry["amount"]
    payments = Payment.objects.in_bulk([e["payment_id"] for e in approved])
    without_row = [
        e
        for e in approved
        if (payment := payments.get(uuid.UUID(e["payment_id"]))) is None
        or payment.provider_transaction_id != e["transaction_id"]
        or payment.status not in ("completed", "refunded")
    ]
    kept = {}
    for entry in approved:
        if refunded.get(entry["payment_id"], 0) < entry["amount"]:
            kept[entry["order_number"]] = kept.get(entry["order_number"], 0) + 1
    statuses = dict(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("order_number", "status"))
    charged_twice = sum(1 for count in kept.values() if count > 1)
    kept_on_cancelled = sum(count for number, count in kept.items() if statuses[number] == "cancelled")
    print(f"pay/cancel race     : {len(orders)} orders x (3 pay + 1 cancel), provider {args.provider_ms} ms")
    print(f"outcomes            : {dict(sorted(outcomes.items()))}")
    print(f"approved / refunded : {len(approved)} charges / {len(refunded)} refunded")
    print(f"charges without a payment row           : {len(without_row)}")
    print(f"orders charged twice                    : {charged_twice}")
    print(f"approved charges on cancelled orders not refunded : {kept_on_cancelled}")
    return bool(without_row or charged_twice or kept_on_cancelled)


if __name__ == "__main__":
    main()
