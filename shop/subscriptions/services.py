"""Plans, limits and usage.

Work that a plan limits runs between ``quota_check`` (before: refuse early, with the reset time)
and ``quota_consume`` (after the work succeeded, in the same transaction, so a refusal there rolls
the work back). ``quota_consume`` is one conditional ``UPDATE ... SET used = used + 1 WHERE used <
limit``: on PostgreSQL concurrent consumers wait on the counter row and re-check the condition, so
the limit holds under parallel requests without a read-modify-write.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.lock_objects import user_lock
from shop.subscriptions import error_codes
from shop.subscriptions.models import GrantSource, PremiumGrant, QuotaKind, QuotaPeriod, QuotaUsage, Tier
from skincare.errors import ApplicationError

PERIODS = {QuotaKind.SKIN_SCAN: QuotaPeriod.MONTH, QuotaKind.QUESTION: QuotaPeriod.DAY}


def plan_limits(tier) -> dict:
    """``{kind: limit}`` for a tier, from settings."""
    if tier == Tier.PREMIUM:
        return {
            QuotaKind.SKIN_SCAN: settings.SUBSCRIPTION_PREMIUM_MONTHLY_SCANS,
            QuotaKind.QUESTION: settings.SUBSCRIPTION_PREMIUM_DAILY_QUESTIONS,
        }
    return {
        QuotaKind.SKIN_SCAN: settings.SUBSCRIPTION_FREE_MONTHLY_SCANS,
        QuotaKind.QUESTION: settings.SUBSCRIPTION_FREE_DAILY_QUESTIONS,
    }


def period_bounds(period, now) -> tuple[datetime, datetime]:
    """Start and end (the reset time) of the UTC day or calendar month holding ``now``."""
    now = now.astimezone(UTC)
    if period == QuotaPeriod.DAY:
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=1)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    return start, start + timedelta(days=days)


def premium_until(*, user, now=None):
    """When the user's premium ends, or ``None`` when they are on the free plan now."""
    now = now or timezone.now()
    grants = PremiumGrant.objects.filter(user=user, ends_at__gt=now)
    if not grants.filter(starts_at__lte=now).exists():
        return None
    return grants.aggregate(end=Max("ends_at"))["end"]


def tier_for(*, user, now=None) -> str:
    return Tier.PREMIUM if premium_until(user=user, now=now) is not None else Tier.FREE


@dataclass(frozen=True)
class Quota:
    kind: str
    period: str
    limit: int
    used: int
    resets_at: datetime

    @property
    def remaining(self):
        return max(self.limit - self.used, 0)


def _kind(kind):
    if kind not in QuotaKind.values:
        raise ValueError(f"Unknown quota kind {kind!r}")
    return QuotaKind(kind)


def quota_status(*, user, kind, tier=None, now=None) -> Quota:
    kind = _kind(kind)
    now = now or timezone.now()
    tier = tier or tier_for(user=user, now=now)
    start, end = period_bounds(PERIODS[kind], now)
    used = QuotaUsage.objects.filter(user=user, kind=kind, period_start=start).values_list("used", flat=True).first()
    return Quota(kind=kind, period=PERIODS[kind], limit=plan_limits(tier)[kind], used=used or 0, resets_at=end)


def _exceeded(quota) -> ApplicationError:
    messages = {
        QuotaKind.SKIN_SCAN: _("You have used all %(limit)s skin scans of your plan this month."),
        QuotaKind.QUESTION: _("You have used all %(limit)s questions of your plan today."),
    }
    message = messages[quota.kind] % {"limit": quota.limit}
    resets = quota.resets_at.strftime("%Y-%m-%d %H:%M UTC")
    return ApplicationError(
        error_codes.QUOTA_EXCEEDED,
        f"{message} " + _("More from %(time)s, or with premium.") % {"time": resets},
    )


def quota_check(*, user, kind) -> Quota:
    """Refuse before the work when the limit is already reached (``QUOTA_EXCEEDED``)."""
    quota = quota_status(user=user, kind=kind)
    if quota.used >= quota.limit:
        raise _exceeded(quota)
    return quota


@transaction.atomic
def quota_consume(*, user, kind) -> Quota:
    """Count one use after the work succeeded; ``QUOTA_EXCEEDED`` when a parallel request took the
    last one first (call it inside the work's transaction so the work is rolled back)."""
    kind = _kind(kind)
    now = timezone.now()
    limit = plan_limits(tier_for(user=user, now=now))[kind]
    start, end = period_bounds(PERIODS[kind], now)
    QuotaUsage.objects.bulk_create(
        [QuotaUsage(user=user, kind=kind, period_start=start, used=0)], ignore_conflicts=True
    )
    row = QuotaUsage.objects.filter(user=user, kind=kind, period_start=start)
    if not row.filter(used__lt=limit).update(used=F("used") + 1):
        used = row.values_list("used", flat=True).first() or 0
        raise _exceeded(Quota(kind=kind, period=PERIODS[kind], limit=limit, used=used, resets_at=end))
    return Quota(
        kind=kind, period=PERIODS[kind], limit=limit, used=row.values_list("used", flat=True).get(), resets_at=end
    )


@transaction.atomic
def premium_grant(*, user, days, source=GrantSource.STAFF, granted_by=None, order=None, note="") -> PremiumGrant:
    """Add ``days`` of premium after any premium the user already has (grants chain, never overlap)."""
    if days < 1:
        raise ValueError("A grant lasts at least one day.")
    user_lock(user_id=user.pk)  # serialises this user's grants: they chain, never overlap
    now = timezone.now()
    current_end = premium_until(user=user, now=now)
    starts_at = max(current_end or now, now)
    return PremiumGrant.objects.create(
        user=user,
        source=source,
        order=order,
        days=days,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=days),
        granted_by=granted_by,
        note=note[:255],
    )


def premium_grant_for_order(*, order) -> PremiumGrant | None:
    """The premium a paid order buys: ``SUBSCRIPTION_PREMIUM_DAYS`` per subscription product unit.
    Idempotent: an order grants once (one grant per order, enforced by the table)."""
    from shop.catalog.models import ProductType

    placed = getattr(order, "placed_items", None)  # checkout: the lines as inserted, with their products
    if placed is not None:
        units = sum(item.quantity for item in placed if item.product.product_type == ProductType.SUBSCRIPTION)
    else:
        units = sum(
            order.items.filter(product__product_type=ProductType.SUBSCRIPTION).values_list("quantity", flat=True)
        )
    if not units or order.user_id is None:
        return None
    with transaction.atomic():
        user_lock(user_id=order.user_id)
        existing = PremiumGrant.objects.filter(order=order).first()
        if existing is not None:
            return existing
        return premium_grant(
            user=order.user,
            days=units * settings.SUBSCRIPTION_PREMIUM_DAYS,
            source=GrantSource.ORDER,
            order=order,
            note=f"Order {order.order_number}",
        )


def premium_revoke_for_order(*, order) -> PremiumGrant | None:
    """Take back the premium a refunded order bought: ``SUBSCRIPTION_PREMIUM_DAYS`` per subscription
    unit refunded (line refunds, and a full refund, which records every remaining line). The grant's
    end moves back by those days, never before now (premium already lived through cannot be taken
    back), and the user's later grants move up so they still chain without a gap.
    Idempotent: only days not revoked yet are taken (the refund event may be replayed)."""
    from django.db.models import Sum

    from shop.catalog.models import ProductType
    from shop.orders.models import PaymentRefundLine

    if order.user_id is None:
        return None
    with transaction.atomic():
        user_lock(user_id=order.user_id)
        grant = PremiumGrant.objects.filter(order_id=order.pk).first()
        if grant is None:
            return None
        refunded_units = (
            PaymentRefundLine.objects.filter(
                order_item__order_id=order.pk, order_item__product__product_type=ProductType.SUBSCRIPTION
            ).aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        target = min(refunded_units * settings.SUBSCRIPTION_PREMIUM_DAYS, grant.days)
        if target <= grant.revoked_days:
            return grant
        now = timezone.now()
        old_end = grant.ends_at
        # Days already lived through are not taken back: the end moves back, but not before now.
        floor = max(grant.starts_at, min(now, old_end))
        new_end = max(old_end - timedelta(days=target - grant.revoked_days), floor)
        grant.ends_at, grant.revoked_days, grant.revoked_at = new_end, target, now
        grant.save(update_fields=["ends_at", "revoked_days", "revoked_at"])
        if new_end < old_end:
            cursor = new_end
            later = PremiumGrant.objects.filter(user_id=order.user_id, starts_at__gte=old_end).exclude(pk=grant.pk)
            for following in later.order_by("starts_at", "pk"):
                length = following.ends_at - following.starts_at
                following.starts_at, following.ends_at = cursor, cursor + length
                following.save(update_fields=["starts_at", "ends_at"])
                cursor = following.ends_at
    return grant
