"""The whole demo, seeded at a tiny scale, satisfies every invariant ``check_invariants`` knows."""

import io

import pytest
from django.core.management import call_command

from shop.orders.models import Order, Payment, PaymentRefund
from skincare.invariants import invariant_run, invariants

pytestmark = pytest.mark.django_db


def test_seed_demo_then_check_invariants_finds_no_violation():
    call_command("seed_demo", "--scale", "0.05", stdout=io.StringIO())
    cancelled = Order.objects.filter(status="cancelled")
    assert cancelled.exists()
    # Every refunded payment has its refund row, for its whole amount.
    refunded = Payment.objects.filter(status="refunded")
    assert refunded.count() == cancelled.count() == PaymentRefund.objects.count()
    results = {check.name: invariant_run(check) for check in invariants()}
    assert {name: r.count for name, r in results.items() if r.count} == {}
    assert len(results) >= 15
    out = io.StringIO()
    call_command("check_invariants", stdout=out)
    assert f"All {len(results)} invariants hold." in out.getvalue()
