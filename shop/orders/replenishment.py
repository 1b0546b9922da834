"""Replenishment reminders: skincare runs out on a schedule.

When an order is delivered, each line whose product has a size (``size_amount`` ml or g) gets
an estimated run-out date: ``delivered + quantity x size / daily use``. The daily use is the
product type's amount for one application a day (``settings.REPLENISHMENT_DAILY_USE``) times the
applications a day shoppers report in approved reviews of the product (``ProductUsage``, kept by
``reviews``) once at least ``REPLENISHMENT_MIN_USAGE_REPORTS`` reviews report it, else 1.

A daily beat task selects, in one set-based query, the lines running out within
``REPLENISHMENT_REMIND_DAYS_BEFORE`` days that have had no reminder, whose shopper did not opt out
of the product and has not bought it again since, records one reminder per line (a unique row, so
never twice) and sends ``events.replenishment_due``; ``feedback`` turns it into a notification
(in-app, e-mail and push as the shopper's preferences say).
"""

import math
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shop.catalog.models import Product
from shop.orders.models import (
    OrderItem,
    OrderStatus,
    ProductUsage,
    ReplenishmentOptOut,
    ReplenishmentReminder,
)
from skincare import events


def daily_use(product_type):
    rules = settings.REPLENISHMENT_DAILY_USE
    return Decimal(str(rules.get(product_type, rules.get("default", "1.0"))))


def uses_per_day(product):
    """Applications a day: what reviews report once there are enough reports, else one."""
    try:
        usage = product.replenishment_usage  # load with select_related("product__replenishment_usage")
    except ProductUsage.DoesNotExist:
        return Decimal(1)
    return usage.uses_per_day if usage.reports >= settings.REPLENISHMENT_MIN_USAGE_REPORTS else Decimal(1)


def product_usage_set(*, product_ids, usage):
    """Record how often shoppers report using these products: ``usage`` maps a product id to
    ``(uses_per_day, reports)``; a product left out has no reports any more."""
    ProductUsage.objects.filter(product_id__in=product_ids).exclude(product_id__in=usage).delete()
    ProductUsage.objects.bulk_create(
        [ProductUsage(product_id=pk, uses_per_day=uses, reports=n) for pk, (uses, n) in usage.items()],
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=["uses_per_day", "reports", "updated_at"],
    )


def runs_out_on(*, product, quantity, delivered_on):
    """The estimated run-out date of ``quantity`` units delivered on ``delivered_on``, or None
    when the product has no size."""
    if not product.size_amount or product.size_amount <= 0:
        return None
    days = math.floor(product.size_amount * quantity / (daily_use(product.product_type) * uses_per_day(product)))
    return delivered_on + timedelta(days=max(days, 1))


def order_runs_out_estimate(*, order):
    """On delivery: the run-out date of each of the order's lines (two queries)."""
    if order.user_id is None or order.delivered_at is None:
        return
    delivered_on = timezone.localdate(order.delivered_at)
    items = list(order.items.select_related("product__replenishment_usage"))
    for item in items:
        item.runs_out_on = runs_out_on(product=item.product, quantity=item.quantity, delivered_on=delivered_on)
    OrderItem.objects.bulk_update(items, ["runs_out_on"])


def replenishment_due(*, today):
    """Order lines to remind about today, as one query: delivered to a signed-in shopper, running
    out by ``today + REPLENISHMENT_REMIND_DAYS_BEFORE``, not reminded yet, not opted out, and the
    product not bought again (any order placed after this one, not cancelled)."""
    horizon = today + timedelta(days=settings.REPLENISHMENT_REMIND_DAYS_BEFORE)
    reminded = ReplenishmentReminder.objects.filter(order_item=OuterRef("pk"))
    opted_out = ReplenishmentOptOut.objects.filter(user=OuterRef("order__user"), product=OuterRef("product"))
    bought_again = OrderItem.objects.filter(
        order__user=OuterRef("order__user"),
        product=OuterRef("product"),
        order__created_at__gt=OuterRef("order__created_at"),
    ).exclude(order__status=OrderStatus.CANCELLED)
    return (
        OrderItem.objects.filter(
            runs_out_on__lte=horizon,
            runs_out_on__gte=today - timedelta(days=30),  # a reminder long after it ran out is noise
            order__status=OrderStatus.DELIVERED,
            order__user__isnull=False,
        )
        .exclude(Exists(reminded))
        .exclude(Exists(opted_out))
        .exclude(Exists(bought_again))
    )


def replenishment_reminders_send(*, today=None):
    """Record and announce today's reminders (the daily beat task). Idempotent: a line is reminded
    once (``ReplenishmentReminder.order_item`` is unique), whoever runs concurrently. Returns the
    number of reminders sent."""
    today = today or timezone.localdate()
    rows = list(
        replenishment_due(today=today)
        .order_by("pk")
        .values_list("pk", "order__user_id", "product_id", "order__order_number", "runs_out_on")
    )
    if not rows:
        return 0
    run = uuid.uuid4()
    with transaction.atomic():
        ReplenishmentReminder.objects.bulk_create(
            [
                ReplenishmentReminder(
                    order_item_id=pk, user_id=user_id, product_id=product_id, runs_out_on=date, run=run
                )
                for pk, user_id, product_id, _, date in rows
            ],
            ignore_conflicts=True,  # a concurrent run reminded that line first: it keeps it
        )
        mine = set(ReplenishmentReminder.objects.filter(run=run).values_list("order_item_id", flat=True))
        products = Product.objects.in_bulk({row[2] for row in rows if row[0] in mine})

        def announce():
            for pk, user_id, product_id, number, date in rows:
                if pk in mine:
                    events.replenishment_due.send(
                        sender=OrderItem, user_id=user_id, product=products[product_id], order_number=number,
                        runs_out_on=date,
                    )  # fmt: skip

        transaction.on_commit(announce)
    return len(mine)
