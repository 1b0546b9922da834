"""The structure the demo plants (``shop/orders/demo_shoppers.py``), measured on a seeded database:
how many bought (user, product) pairs were bought again, when the reorder came relative to the
first unit's estimated run-out date, and the stars of reviewed products bought again or once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db after manage.py seed_demo> python benchmarks/demo_structure.py
"""

import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")


def main():
    import django

    django.setup()
    from reviews.models import Review
    from shop.orders.models import OrderItem, OrderStatus

    lines = defaultdict(list)
    rows = (
        OrderItem.objects.filter(order__user__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("order__user_id", "product_id", "order__created_at", "runs_out_on")
    )
    for user, product, created, runs_out in rows:
        lines[(user, product)].append((created, runs_out))
    again = {pair: sorted(bought) for pair, bought in lines.items() if len(bought) > 1}
    print(f"{len(lines)} bought (user, product) pairs, {len(again)} bought again")
    gaps = Counter()
    for bought in again.values():
        (_, runs_out), (second, _) = bought[0], bought[1]
        if runs_out is not None:
            gaps[(second.date() - runs_out).days] += 1
    near = sum(n for days, n in gaps.items() if -9 <= days <= 5)
    print(f"reorder date minus the first unit's run-out date: {sum(gaps.values())} timed, {near} within -9..+5 days")
    print("  days: " + ", ".join(f"{days}: {n}" for days, n in sorted(gaps.items())))
    ratings = dict(((r.user_id, r.product_id), r.rating) for r in Review.objects.all())
    for name, pairs in (("bought again", again), ("bought once", [p for p in lines if p not in again])):
        stars = [ratings[p] for p in pairs if p in ratings]
        if stars:
            print(f"reviewed products {name}: {len(stars)} reviews, mean {sum(stars) / len(stars):.2f} stars")


if __name__ == "__main__":
    main()
