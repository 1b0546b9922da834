"""Replenishment reminders at scale: the due-reminder selection as one set-based query, against a
baseline that loops over shoppers (one query each), on the same data in the same run.

Runs against a throw-away test database (``test_<name>``, created and dropped by Django's test
runner), so it never touches real data::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skincare_commerce \\
      python benchmarks/replenishment.py --users 50000

Every shopper gets one delivered order of one or two products (of ``--products``) whose run-out
estimates spread over the 60 days around today; some shoppers opted out of a product, some
bought it again. Printed, all from this run:

* the set-based selection (``replenishment_due``) over every shopper: time and query count;
* a baseline query over the same rows: the plain run-out date range scan without the
  "not reminded / not opted out / not bought again" conditions (the floor any selection pays);
* the per-shopper loop the issue rules out (a few queries per shopper), timed on
  ``--loop-sample`` shoppers (it is too slow to run on all of them), with its time per shopper
  projected to all shoppers, labelled as a projection. On that sample both ways must select the
  same order lines.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--loop-sample", type=int, default=1000, help="shoppers the per-shopper loop runs over")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args, connection)
    finally:
        teardown_databases(old, verbosity=0)


def progress(done, total, label):
    print(f"\r{label}: {done}/{total}", end="" if done < total else "\n", flush=True)


def seed(args, today):
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from shop.accounts.models import User
    from shop.catalog.tests.factories import ProductFactory
    from shop.orders.models import Order, OrderItem, OrderStatus, ReplenishmentOptOut

    rng = random.Random(args.seed)
    unusable = make_password(None)
    products = [
        ProductFactory(product_type="serum", size_amount=Decimal("30"), size_unit="ml", price=Decimal("20.00"))
        for _ in range(args.products)
    ]
    batch = 5000
    now = timezone.now()
    for start in range(0, args.users, batch):
        with transaction.atomic():
            count = min(batch, args.users - start)
            users = User.objects.bulk_create(
                [User(email=f"bench{start + i}@bench.local", password=unusable) for i in range(count)]
            )
            orders = Order.objects.bulk_create(
                [
                    Order(order_number=f"BENCH-{user.pk}", user=user, customer_email=user.email, currency="USD",
                          subtotal=Decimal("20.00"), total=Decimal("20.00"), status=OrderStatus.DELIVERED,
                          delivered_at=now)
                    for user in users
                ]
            )  # fmt: skip
            items, opt_outs, again = [], [], []
            for user, order in zip(users, orders, strict=True):
                for product in rng.sample(products, k=rng.randint(1, 2)):
                    items.append(
                        OrderItem(order=order, product=product, product_name=product.name, quantity=1,
                                  unit_price=Decimal("20.00"), total_price=Decimal("20.00"),
                                  runs_out_on=today + timedelta(days=rng.randint(-30, 30)))
                    )  # fmt: skip
                    roll = rng.random()
                    if roll < 0.05:
                        opt_outs.append(ReplenishmentOptOut(user=user, product=product))
                    elif roll < 0.10:
                        again.append((user, product))
            OrderItem.objects.bulk_create(items)
            ReplenishmentOptOut.objects.bulk_create(opt_outs)
            # Bought again: a later order (created after the first) with the same product.
            later = Order.objects.bulk_create(
                [
                    Order(order_number=f"BENCH-{user.pk}-{product.pk}", user=user, customer_email=user.email,
                          currency="USD", subtotal=Decimal("20.00"), total=Decimal("20.00"))
                    for user, product in again
                ]
            )  # fmt: skip
            Order.objects.filter(pk__in=[o.pk for o in later]).update(created_at=now + timedelta(seconds=1))
            OrderItem.objects.bulk_create(
                [
                    OrderItem(order=order, product=product, product_name=product.name, quantity=1,
                              unit_price=Decimal("20.00"), total_price=Decimal("20.00"))
                    for order, (_, product) in zip(later, again, strict=True)
                ]
            )  # fmt: skip
        progress(start + count, args.users, "shoppers seeded")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def loop(today, user_ids):
    """The loop the issue rules out: each shopper's delivered lines, checked one shopper at a time."""
    from django.conf import settings

    from shop.orders.models import OrderItem, OrderStatus, ReplenishmentOptOut, ReplenishmentReminder

    horizon = today + timedelta(days=settings.REPLENISHMENT_REMIND_DAYS_BEFORE)
    due = []
    for user_id in user_ids:
        lines = OrderItem.objects.filter(
            order__user_id=user_id,
            order__status=OrderStatus.DELIVERED,
            runs_out_on__lte=horizon,
            runs_out_on__gte=today - timedelta(days=30),
        ).values_list("pk", "product_id", "order__created_at")
        for pk, product_id, created in lines:
            if ReplenishmentReminder.objects.filter(order_item_id=pk).exists():
                continue
            if ReplenishmentOptOut.objects.filter(user_id=user_id, product_id=product_id).exists():
                continue
            bought_again = (
                OrderItem.objects.filter(order__user_id=user_id, product_id=product_id, order__created_at__gt=created)
                .exclude(order__status="cancelled")
                .exists()
            )
            if not bought_again:
                due.append(pk)
    return due


def run(args, connection):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shop.orders.models import OrderItem
    from shop.orders.replenishment import replenishment_due

    today = timezone.localdate()
    print(f"database: {connection.vendor}, {args.users} shoppers, {args.products} products")
    seed(args, today)

    def timed(func):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = func()
            seconds = time.perf_counter() - started
        return result, seconds, len(captured)

    horizon = today + timedelta(days=settings.REPLENISHMENT_REMIND_DAYS_BEFORE)
    selected, set_seconds, set_queries = timed(
        lambda: list(replenishment_due(today=today).values_list("pk", "order__user_id"))
    )
    scanned, scan_seconds, _ = timed(
        lambda: list(
            OrderItem.objects.filter(runs_out_on__lte=horizon, runs_out_on__gte=today - timedelta(days=30)).values_list(
                "pk", "order__user_id"
            )
        )
    )
    sample = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)[: args.loop_sample])
    looped, loop_seconds, loop_queries = timed(lambda: loop(today, sample))
    in_sample = set(sample)
    assert sorted(pk for pk, user_id in selected if user_id in in_sample) == sorted(looped), "the two ways disagree"

    print(f"due reminders: {len(selected)} order lines of {len(scanned)} in the date range")
    print(f"set-based selection, all {args.users} shoppers: {set_seconds:.3f} s, {set_queries} query")
    print(f"baseline range scan, same rows without the exclusions: {scan_seconds:.3f} s, 1 query")
    print(f"ratio set-based / baseline scan: {set_seconds / scan_seconds:.2f}x")
    per_shopper = loop_seconds / max(len(sample), 1)
    print(
        f"per-shopper loop, {len(sample)} shoppers: {loop_seconds:.3f} s, {loop_queries} queries (same lines selected)"
    )
    print(
        f"per-shopper loop projected to {args.users} shoppers (projection, not measured): "
        f"{per_shopper * args.users:.1f} s, {per_shopper * args.users / set_seconds:.0f}x the set-based selection"
    )


if __name__ == "__main__":
    main()
