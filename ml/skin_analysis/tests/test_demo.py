"""The skin demo steps at CI's scale: real scans of generated faces, the premium plan, goals,
achievements and journal-week feedback; a second run adds nothing and the invariants hold."""

import io

import pytest
from django.core.management import call_command

from ml.goals.models import Goal, UserAchievement
from ml.skin_analysis.models import SkinAnalysis
from reviews.models import ProgressEntry
from shop.catalog.models import Product
from shop.subscriptions.models import PremiumGrant
from shop.subscriptions.services import tier_for
from skincare.invariants import invariant_run, invariants

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "scans": SkinAnalysis.objects.count(),
        "plans": Product.objects.filter(product_type="subscription").count(),
        "grants": PremiumGrant.objects.count(),
        "goals": Goal.objects.count(),
        "unlocks": UserAchievement.objects.count(),
        "weeks without feedback": ProgressEntry.objects.filter(feedback="").count(),
    }


def test_skin_demo_steps_are_real_idempotent_and_keep_the_invariants(run_on_commit):
    call_command("seed_demo", "--scale", "0.05", stdout=io.StringIO())
    first = _counts()

    scans = list(SkinAnalysis.objects.select_related("user").order_by("user_id", "created_at"))
    assert len(scans) == 4 and {s.status for s in scans} == {"done"}
    assert {s.analyzer for s in scans} == {"builtin-v1"}
    assert all(s.photo_id is not None and s.feedback for s in scans)
    # Two scans per shopper, five and one week ago; the second face had less of its skin type's property.
    by_user = {}
    for scan in scans:
        by_user.setdefault(scan.user, []).append(scan)
    assert len(by_user) == 2
    for user, (before, after) in by_user.items():
        assert (after.created_at - before.created_at).days == 28
        if user.skin_type == "dry":
            assert after.hydration > before.hydration
        if user.skin_type == "oily":
            assert after.oil_balance > before.oil_balance
    plan = Product.objects.get(sku="PREMIUM-1M")
    assert (plan.product_type, plan.status, plan.track_inventory) == ("subscription", "active", False)
    assert first["grants"] == 2 and all(tier_for(user=g.user) == "premium" for g in PremiumGrant.objects.all())
    assert first["goals"] >= 2 and Goal.objects.filter(source="suggestion").count() == first["goals"]
    assert UserAchievement.objects.filter(achievement__key="first-analysis").count() == 2
    assert ProgressEntry.objects.exists() and first["weeks without feedback"] == 0

    call_command("seed_demo", "--scale", "0.05", stdout=io.StringIO())

    assert _counts() == first
    assert {check.name: invariant_run(check).count for check in invariants()} == {c.name: 0 for c in invariants()}
