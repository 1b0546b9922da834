"""The whole demo, seeded at a tiny scale, satisfies every invariant ``check_invariants`` knows."""

import io
import re

import pytest
from django.core.management import call_command

from reviews.community import community_score_recalculate
from reviews.services import product_rating_refresh
from shop.accounts.models import User
from shop.catalog.models import Product
from shop.orders.models import Order, Payment, PaymentRefund
from skincare.invariants import invariant_run, invariants

pytestmark = pytest.mark.django_db


def test_seed_demo_then_check_invariants_finds_no_violation():
    seeded = io.StringIO()
    call_command("seed_demo", "--scale", "0.05", stdout=seeded)
    # Every progress bar ends at its total: the last line of each label reads total/total.
    last = {}
    for done, total, label in re.findall(r"\] (\d+)/(\d+) (.+?) \(\d+\.\ds\)$", seeded.getvalue(), re.M):
        last[label] = (int(done), int(total))
    assert {
        "shoppers' orders drafted",
        "order rows saved",
        "customer and sales counters",
        "product ratings",
        "community scores",
    } <= set(last)
    assert {label: pair for label, pair in last.items() if pair[0] != pair[1]} == {}
    cancelled = Order.objects.filter(status="cancelled", payment_status="refunded")
    assert cancelled.exists()
    # Every refunded payment has its refund row, for its whole amount.
    refunded = Payment.objects.filter(status="refunded")
    assert refunded.count() == cancelled.count() == PaymentRefund.objects.count()
    # Guest checkouts, and unpaid card orders the expiry cancelled (nothing was charged).
    guests = Order.objects.filter(user__isnull=True, customer_email__endswith="@skincare.local")
    assert guests.filter(status="confirmed", payment_status="paid").count() == 1
    expired = guests.filter(status="cancelled", payment_status="failed")
    assert expired.count() == 1
    assert expired.get().events.filter(data__expired="unpaid_timeout").exists()
    # Delivered lines have run-out estimates; the ones due today were reminded, once each.
    # (Their notifications go out after the commit, which this test transaction never does.)
    from shop.orders.models import OrderItem, ReplenishmentReminder

    assert OrderItem.objects.filter(order__status="delivered", runs_out_on__isnull=False).exists()
    reminded = ReplenishmentReminder.objects.values_list("order_item_id", flat=True)
    assert len(reminded) == len(set(reminded)) > 0
    results = {check.name: invariant_run(check) for check in invariants()}
    assert {name: r.count for name, r in results.items() if r.count} == {}
    assert set(results) == {
        "order_subtotal",
        "payment_refunded_amount",
        "payment_status",
        "order_payment_status",
        "customer_counters",
        "product_sales_count",
        "coupon_used_count",
        "variant_stock",
        "product_rating",
        "review_votes",
        "question_counters",
        "answer_votes",
        "community_counters",
    }
    out = io.StringIO()
    call_command("check_invariants", stdout=out)
    assert f"All {len(results)} invariants hold." in out.getvalue()
    # The set-based recomputations agree with the services' row-at-a-time ones.
    fields = ["reviews_written", "helpful_votes_received", "questions_asked", "answers_provided", "community_score"]
    users = list(User.objects.filter(reviews_written__gt=0).order_by("pk"))
    assert users
    stored = [[getattr(u, f) for f in [*fields, "avg_rating"]] for u in users]
    for user in users:
        community_score_recalculate(user=user)
    assert [[getattr(u, f) for f in [*fields, "avg_rating"]] for u in users] == stored
    products = list(
        Product.objects.filter(review_count__gt=0).order_by("pk").values_list("pk", "rating_avg", "review_count")
    )
    assert products
    for pk, _, _ in products:
        product_rating_refresh(product_id=pk)
    assert (
        list(Product.objects.filter(review_count__gt=0).order_by("pk").values_list("pk", "rating_avg", "review_count"))
        == products
    )
