"""Premium: granted by an admin (API and admin site) or bought with a subscription product."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from shop.accounts.tests.factories import ModeratorFactory, StaffFactory, UserFactory
from shop.cart.tests.factories import ProductFactory
from shop.orders.tests.helpers import checkout, fill_cart
from shop.subscriptions import services
from shop.subscriptions.models import PremiumGrant
from skincare import events

pytestmark = pytest.mark.django_db

GRANTS = "/api/v1/staff/subscriptions/grants"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_grants_chain_after_the_premium_a_user_already_has(clock, user):
    clock.set(datetime(2026, 1, 10, tzinfo=UTC))
    first = services.premium_grant(user=user, days=10)
    second = services.premium_grant(user=user, days=5)
    assert (second.starts_at, second.ends_at) == (first.ends_at, datetime(2026, 1, 25, tzinfo=UTC))
    assert services.premium_until(user=user) == datetime(2026, 1, 25, tzinfo=UTC)
    clock.set(datetime(2026, 1, 24, 23, 59, tzinfo=UTC))
    assert services.tier_for(user=user) == "premium"
    clock.set(datetime(2026, 1, 25, tzinfo=UTC))
    assert services.tier_for(user=user) == "free"
    third = services.premium_grant(user=user, days=1)
    assert third.starts_at == datetime(2026, 1, 25, tzinfo=UTC)


def test_an_admin_grants_premium_through_the_staff_api(clock, user):
    clock.set(datetime(2026, 8, 1, 10, 0, tzinfo=UTC))
    admin = StaffFactory()
    response = _client(admin).post(GRANTS, {"user_id": user.pk, "days": 30, "note": "support"}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["user_id"], data["source"], data["days"], data["granted_by_id"]) == (user.pk, "staff", 30, admin.pk)
    assert (data["starts_at"], data["ends_at"], data["order_number"]) == (
        "2026-08-01T10:00:00Z", "2026-08-31T10:00:00Z", None,
    )  # fmt: skip
    assert _client(user).get("/api/v1/subscription").json()["data"]["tier"] == "premium"

    listed = _client(admin).get(GRANTS, {"user_id": user.pk}).json()
    assert [g["id"] for g in listed["data"]] == [data["id"]] and listed["meta"]["total"] == 1


def test_a_grant_for_an_unknown_user_or_no_days_is_refused_and_changes_nothing(staff_client):
    unknown = staff_client.post(GRANTS, {"user_id": 987654, "days": 30}, format="json").json()
    assert (unknown["code"], unknown["errors"]) == ("VALIDATION_ERROR", {"user_id": ["User not found."]})
    zero = staff_client.post(GRANTS, {"user_id": 987654, "days": 0}, format="json").json()
    assert "days" in zero["errors"]
    assert PremiumGrant.objects.count() == 0


@pytest.mark.parametrize("who", ["moderator", "customer"])
def test_only_admins_grant_premium(who, user):
    actor = ModeratorFactory() if who == "moderator" else UserFactory()
    response = _client(actor).post(GRANTS, {"user_id": user.pk, "days": 30}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")
    assert PremiumGrant.objects.count() == 0


def test_admin_site_adds_a_grant_through_the_service(client, user):
    admin = StaffFactory()
    client.force_login(admin)
    response = client.post("/admin/subscriptions/premiumgrant/add/", {"user": user.pk, "days": 7, "note": "apology"})
    assert response.status_code == 302
    grant = PremiumGrant.objects.get()
    assert (grant.user, grant.days, grant.source, grant.granted_by) == (user, 7, "staff", admin)
    assert grant.ends_at - grant.starts_at == timedelta(days=7)
    moderator = ModeratorFactory()
    client.force_login(moderator)
    assert client.get("/admin/subscriptions/premiumgrant/add/").status_code == 403


def test_a_paid_order_of_a_subscription_product_grants_premium_once(settings, run_on_commit, auth_client, user):
    settings.SUBSCRIPTION_PREMIUM_DAYS = 30
    plan = ProductFactory(price=Decimal("9.99"), product_type="subscription")
    cream = ProductFactory(price=Decimal("20.00"))
    fill_cart(user, (plan, 2), (cream, 1))
    response = checkout(auth_client, user)
    assert response.status_code == 201, response.json()
    grant = PremiumGrant.objects.get(user=user)
    assert (grant.source, grant.days, grant.order.order_number) == (
        "order",
        60,
        response.json()["data"]["order_number"],
    )
    assert services.tier_for(user=user) == "premium"

    events.order_paid.send(sender=type(grant.order), order=grant.order, payment=None)  # a replayed event
    assert PremiumGrant.objects.filter(user=user).count() == 1


def test_a_paid_order_without_a_subscription_product_grants_nothing(run_on_commit, auth_client, user):
    fill_cart(user, (ProductFactory(price=Decimal("15.00")), 1))
    assert checkout(auth_client, user).status_code == 201
    assert not PremiumGrant.objects.exists()
    assert services.tier_for(user=user) == "free"
