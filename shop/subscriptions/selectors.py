"""Reads: what the user's plan is, allows and has used."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from shop.subscriptions import services
from shop.subscriptions.models import PremiumGrant, QuotaKind, Tier


@dataclass(frozen=True)
class SubscriptionStatus:
    tier: str
    premium_until: datetime | None
    quotas: list


def subscription_status(*, user) -> SubscriptionStatus:
    now = timezone.now()
    until = services.premium_until(user=user, now=now)
    tier = Tier.PREMIUM if until is not None else Tier.FREE
    quotas = [services.quota_status(user=user, kind=kind, tier=tier, now=now) for kind in QuotaKind]
    return SubscriptionStatus(tier=tier, premium_until=until, quotas=quotas)


def premium_grant_list(*, user_id=None):
    grants = PremiumGrant.objects.select_related("user", "order", "granted_by").order_by("-created_at", "-id")
    if user_id is not None:
        grants = grants.filter(user_id=user_id)
    return grants
