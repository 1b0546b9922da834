"""A refund takes back the premium its order bought: the whole grant on a full refund, the refunded
units' days on a line refund; later grants move up, replays take nothing twice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop.accounts.tests.factories import StaffFactory
from shop.cart.tests.factories import ProductFactory
from shop.orders import services as order_services
from shop.orders.models import Order
from shop.orders.tests.helpers import checkout, fill_cart
from shop.subscriptions import services
from shop.subscriptions.models import PremiumGrant
from skincare import events

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def bought(settings, clock, run_on_commit, auth_client, user):
    """``user`` paid for 2 units of a 30-day plan and a cream at START: 60 days of premium."""
    settings.SUBSCRIPTION_PREMIUM_DAYS = 30
    clock.set(START)
    plan = ProductFactory(price=Decimal("9.99"), product_type="subscription")
    cream = ProductFactory(price=Decimal("20.00"))
    fill_cart(user, (plan, 2), (cream, 1))
    assert checkout(auth_client, user).status_code == 201
    order = Order.objects.get(user=user)
    grant = PremiumGrant.objects.get(order=order)
    assert (grant.starts_at, grant.ends_at) == (START, START + timedelta(days=60))
    lines = {item.product_id: item for item in order.items.all()}
    return order, grant, lines[plan.pk], lines[cream.pk]


def test_a_full_refund_revokes_the_premium_the_order_granted(clock, bought, user):
    order, grant, _plan, _cream = bought
    clock.move(days=3)

    order_services.order_refund(order=order, amount=None, reason="Changed my mind", by=StaffFactory())

    grant.refresh_from_db()
    assert (grant.ends_at, grant.revoked_days, grant.revoked_at) == (clock.now, 60, clock.now)
    assert services.tier_for(user=user) == "free"
    assert services.premium_until(user=user) is None


def test_refunding_one_unit_of_the_plan_line_takes_back_its_days_only(clock, bought, user):
    order, grant, plan_line, _cream = bought
    clock.move(days=1)

    order_services.order_refund_lines(order=order, lines=[(plan_line.pk, 1)], reason="One too many", by=StaffFactory())

    grant.refresh_from_db()
    assert (grant.ends_at, grant.revoked_days) == (START + timedelta(days=30), 30)
    assert services.tier_for(user=user) == "premium"
    assert services.premium_until(user=user) == START + timedelta(days=30)


def test_refunding_another_line_keeps_the_premium(clock, bought, user):
    order, grant, _plan, cream_line = bought

    order_services.order_refund_lines(order=order, lines=[(cream_line.pk, 1)], reason="Broken jar", by=StaffFactory())

    grant.refresh_from_db()
    assert (grant.ends_at, grant.revoked_days) == (START + timedelta(days=60), 0)
    assert services.tier_for(user=user) == "premium"


def test_a_partial_money_refund_names_no_line_and_keeps_the_premium(clock, bought, user):
    order, grant, _plan, _cream = bought

    order_services.order_refund(order=order, amount=Decimal("5.00"), reason="Goodwill", by=StaffFactory())

    grant.refresh_from_db()
    assert (grant.ends_at, grant.revoked_days) == (START + timedelta(days=60), 0)


def test_later_grants_move_up_and_a_replayed_refund_takes_nothing_twice(clock, bought, user):
    order, grant, plan_line, _cream = bought
    staff_grant = services.premium_grant(user=user, days=10)  # chained after the order's 60 days
    assert staff_grant.starts_at == START + timedelta(days=60)
    clock.move(days=2)

    order_services.order_refund_lines(order=order, lines=[(plan_line.pk, 2)], reason="Unused", by=StaffFactory())
    events.order_refunded.send(sender=Order, order=order, refund=None, amount=Decimal("0"))  # replayed

    grant.refresh_from_db()
    staff_grant.refresh_from_db()
    assert (grant.ends_at, grant.revoked_days) == (START + timedelta(days=2), 60)
    assert (staff_grant.starts_at, staff_grant.ends_at) == (clock.now, clock.now + timedelta(days=10))
    assert services.premium_until(user=user) == clock.now + timedelta(days=10)
