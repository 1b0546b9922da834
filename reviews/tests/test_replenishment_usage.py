"""How often reviewers use a product drives its run-out estimate (``shop.orders.replenishment``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from feedback.models import ModerationItem
from feedback.services import moderation_approve, moderation_reject
from reviews.services import review_create
from reviews.tests.helpers import deliver, review_payload
from shop.accounts.tests.factories import StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import ProductUsage, ReplenishmentReminder
from shop.orders.replenishment import order_runs_out_estimate, replenishment_reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def serum():
    """30 ml of serum at the default 0.6 ml for one application a day: 50 days a bottle."""
    return ProductFactory(product_type="serum", size_amount=Decimal("30.00"), size_unit="ml")


CLAIM = "This cures acne better than my prescription."  # screened: waits for a moderator (flagged)


def review(product, how_often_used, **payload):
    """A verified review saying how often the reviewer uses it (approved at once unless screened)."""
    user = UserFactory()
    deliver(user, product)
    return review_create(user=user, product_id=product.pk, **review_payload(how_often_used=how_often_used, **payload))


def decide(review_, approve):
    item = ModerationItem.objects.get(content_type="review", content_id=review_.pk)
    (moderation_approve if approve else moderation_reject)(item=item, by=StaffFactory(), notes="checked")


def days_left(product):
    """Days until a bottle delivered today runs out, by the estimate delivery makes."""
    order = deliver(UserFactory(), product)
    order_runs_out_estimate(order=order)
    return (order.items.get().runs_out_on - timezone.localdate(order.delivered_at)).days


def test_three_approved_reports_replace_the_default(serum):
    for _ in range(2):
        assert review(serum, "twice_daily").status == "approved"
    assert ProductUsage.objects.get(product=serum).reports == 2
    assert days_left(serum) == 50  # two reports: still the default (REPLENISHMENT_MIN_USAGE_REPORTS = 3)

    review(serum, "twice_daily")
    usage = ProductUsage.objects.get(product=serum)
    assert (usage.uses_per_day, usage.reports) == (Decimal("2.000"), 3)
    assert days_left(serum) == 25  # 30 ml / (0.6 ml x 2 a day)


def test_frequencies_average_and_as_needed_says_nothing(serum):
    for frequency in ("daily", "2-3_times_week", "weekly", "as_needed", ""):
        review(serum, frequency)
    usage = ProductUsage.objects.get(product=serum)
    # (1 + 2.5/7 + 1/7) / 3 reports = 0.5
    assert (usage.uses_per_day, usage.reports) == (Decimal("0.500"), 3)
    assert days_left(serum) == 100


def test_a_rejected_review_does_not_count_and_a_withdrawn_approval_stops_counting(serum):
    approved = [review(serum, "twice_daily") for _ in range(2)]
    flagged = review(serum, "twice_daily", review_text=CLAIM)
    assert flagged.status == "flagged"
    decide(flagged, approve=False)
    assert ProductUsage.objects.get(product=serum).reports == 2
    assert days_left(serum) == 50

    again = review(serum, "twice_daily", review_text=CLAIM)
    assert ProductUsage.objects.get(product=serum).reports == 2  # not before a moderator approves it
    decide(again, approve=True)
    assert ProductUsage.objects.get(product=serum).reports == 3
    assert days_left(serum) == 25

    item = ModerationItem.objects.get(content_type="review", content_id=approved[0].pk)
    moderation_reject(item=item, by=StaffFactory(), notes="fake")
    assert ProductUsage.objects.get(product=serum).reports == 2
    assert days_left(serum) == 50


def test_the_reminder_task_reminds_on_the_reported_usage(serum):
    for _ in range(3):
        review(serum, "twice_daily")
    shopper = UserFactory()
    order = deliver(shopper, serum)
    order_runs_out_estimate(order=order)
    delivered_on = timezone.localdate(order.delivered_at)

    # 25 days a bottle, reminded 5 days before: on day 20, where the default would wait for day 45.
    assert replenishment_reminders_send(today=delivered_on + timedelta(days=19)) == 0
    assert replenishment_reminders_send(today=delivered_on + timedelta(days=20)) == 1
    reminder = ReplenishmentReminder.objects.get(user=shopper)
    assert reminder.runs_out_on == delivered_on + timedelta(days=25)
