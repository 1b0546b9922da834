"""Limits per plan: checked before the work, counted after it, reset on the period boundary."""

from datetime import UTC, datetime

import pytest

from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.subscriptions import services
from shop.subscriptions.models import QuotaKind, QuotaUsage
from skincare.errors import ApplicationError

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "/api/v1/subscription"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SUBSCRIPTION_FREE_MONTHLY_SCANS = 2
    settings.SUBSCRIPTION_FREE_DAILY_QUESTIONS = 2
    settings.SUBSCRIPTION_PREMIUM_MONTHLY_SCANS = 5
    settings.SUBSCRIPTION_PREMIUM_DAILY_QUESTIONS = 4


def test_skin_scan_quota_is_reached_and_resets_at_the_start_of_the_next_month(clock, user):
    clock.set(datetime(2026, 3, 31, 22, 0, tzinfo=UTC))
    assert services.quota_check(user=user, kind="skin_scan").remaining == 2
    services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN)
    quota = services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN)
    assert (quota.used, quota.remaining, quota.resets_at) == (2, 0, datetime(2026, 4, 1, tzinfo=UTC))

    with pytest.raises(ApplicationError) as refused:
        services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN)
    assert refused.value.code == "QUOTA_EXCEEDED"
    assert "2 skin scans" in refused.value.message and "2026-04-01 00:00 UTC" in refused.value.message
    with pytest.raises(ApplicationError):
        services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN)
    assert QuotaUsage.objects.get(user=user, kind="skin_scan").used == 2

    clock.set(datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    with pytest.raises(ApplicationError):
        services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN)
    clock.set(datetime(2026, 4, 1, 0, 0, tzinfo=UTC))
    assert services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN).used == 0
    assert services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN).used == 1


def test_question_quota_is_per_utc_day_and_per_user(clock, user, other_user):
    clock.set(datetime(2026, 5, 10, 23, 30, tzinfo=UTC))
    for _ in range(2):
        services.quota_consume(user=user, kind=QuotaKind.QUESTION)
    with pytest.raises(ApplicationError):
        services.quota_check(user=user, kind=QuotaKind.QUESTION)
    assert services.quota_check(user=other_user, kind=QuotaKind.QUESTION).used == 0
    assert services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN).used == 0
    clock.move(minutes=30)
    quota = services.quota_check(user=user, kind=QuotaKind.QUESTION)
    assert (quota.used, quota.resets_at) == (0, datetime(2026, 5, 12, tzinfo=UTC))


def test_premium_raises_the_limit_on_the_same_count_and_ends_with_its_period(clock, user):
    clock.set(datetime(2026, 6, 15, 12, 0, tzinfo=UTC))
    for _ in range(2):
        services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN)
    services.premium_grant(user=user, days=3)
    assert services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN).remaining == 3
    services.quota_consume(user=user, kind=QuotaKind.SKIN_SCAN)
    clock.move(days=3)  # premium ended on the dot
    assert services.tier_for(user=user) == "free"
    with pytest.raises(ApplicationError):
        services.quota_check(user=user, kind=QuotaKind.SKIN_SCAN)


def test_subscription_endpoint_shows_plan_limits_usage_and_reset_times(clock, auth_client, user):
    clock.set(datetime(2026, 2, 14, 9, 30, tzinfo=UTC))
    services.quota_consume(user=user, kind=QuotaKind.QUESTION)
    body = auth_client.get(SUBSCRIPTION).json()
    assert body == {
        "status": "success",
        "data": {
            "tier": "free",
            "premium_until": None,
            "quotas": [
                {"kind": "skin_scan", "period": "month", "limit": 2, "used": 0, "remaining": 2,
                 "resets_at": "2026-03-01T00:00:00Z"},
                {"kind": "question", "period": "day", "limit": 2, "used": 1, "remaining": 1,
                 "resets_at": "2026-02-15T00:00:00Z"},
            ],
        },
    }  # fmt: skip

    services.premium_grant(user=user, days=30)
    data = auth_client.get(SUBSCRIPTION).json()["data"]
    assert (data["tier"], data["premium_until"]) == ("premium", "2026-03-16T09:30:00Z")
    assert [(q["limit"], q["used"]) for q in data["quotas"]] == [(5, 0), (4, 1)]


def test_subscription_endpoint_needs_sign_in_and_runs_constant_queries(
    api_client, auth_client, user, django_assert_num_queries
):
    assert api_client.get(SUBSCRIPTION).json()["code"] == "NOT_AUTHENTICATED"
    services.premium_grant(user=user, days=5)
    with django_assert_num_queries(4):  # premium check, premium end, one counter per kind
        assert auth_client.get(SUBSCRIPTION).status_code == 200


def test_asking_questions_stops_at_the_daily_limit_and_starts_again_the_next_day(clock, auth_client, user):
    from reviews.models import Question

    clock.set(datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    product = ProductFactory()
    url = f"/api/v1/products/{product.pk}/questions"
    for number in range(2):
        response = auth_client.post(url, {"question": f"Is this safe with retinol, number {number}?"}, format="json")
        assert response.status_code == 201, response.json()
    refused = auth_client.post(url, {"question": "And with vitamin C serum in the morning?"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "QUOTA_EXCEEDED"
    assert Question.objects.filter(user=user).count() == 2
    assert QuotaUsage.objects.get(user=user, kind="question").used == 2

    clock.set(datetime(2026, 7, 2, 0, 0, 1, tzinfo=UTC))
    again = auth_client.post(url, {"question": "And with vitamin C serum in the morning?"}, format="json")
    assert again.status_code == 201
    assert Question.objects.filter(user=user).count() == 3


def test_a_question_that_fails_is_not_counted(auth_client, user):
    response = auth_client.post("/api/v1/products/987654/questions", {"question": "Does it sting?"}, format="json")
    assert response.json()["code"] == "PRODUCT_NOT_FOUND"
    assert not QuotaUsage.objects.filter(user=user).exists()


def test_each_users_limit_is_their_own(clock, user):
    other = UserFactory()
    services.premium_grant(user=other, days=1)
    assert services.quota_status(user=user, kind="question").limit == 2
    assert services.quota_status(user=other, kind="question").limit == 4
