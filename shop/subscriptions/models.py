"""Plans, premium grants and usage counters.

The plan is computed, never stored: a user is ``premium`` while one of their grants covers the
current moment, so premium ends at the end of its period without a task. Usage is one counter row
per user, kind and period; a new period is a new row, so nothing needs resetting.
"""

from django.conf import settings
from django.db import models


class Tier(models.TextChoices):
    FREE = "free", "Free"
    PREMIUM = "premium", "Premium"


class QuotaKind(models.TextChoices):
    SKIN_SCAN = "skin_scan", "Skin scan"
    QUESTION = "question", "Expert or AI question"


class QuotaPeriod(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


class GrantSource(models.TextChoices):
    STAFF = "staff", "Granted by staff"
    ORDER = "order", "Paid order"


class PremiumGrant(models.Model):
    """A stretch of premium: granted by an admin or bought with a subscription product."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="premium_grants")
    source = models.CharField(max_length=10, choices=GrantSource.choices)
    order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="premium_grant"
    )
    days = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Days of a refunded order accounted for (``ends_at`` moved back by them, or to the refund time
    # when fewer were left): a replayed refund event takes nothing twice.
    revoked_days = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["user", "ends_at"])]
        constraints = [
            # A wholly revoked grant spans no time (ends where it starts).
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="grant_ends_at_or_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_days__lte=models.F("days")), name="grant_revoked_le_days"
            ),
        ]

    def __str__(self):
        return f"premium for {self.user_id} until {self.ends_at:%Y-%m-%d}"


class QuotaUsage(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota_usage")
    kind = models.CharField(max_length=20, choices=QuotaKind.choices)
    period_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "period_start"], name="quota_usage_one_per_period")
        ]

    def __str__(self):
        return f"{self.kind} of {self.user_id} from {self.period_start:%Y-%m-%d}: {self.used}"
