"""Coupons (seed 001 ``coupons`` / ``coupon_usage``).

``used_count`` is a denormalised counter changed only under the coupon's row lock
(``lock_objects.coupon_lock``), so the total and per-user limits hold under concurrent
checkouts; the database refuses ``used_count > usage_limit`` as a last line of defence.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CouponType(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    FIXED = "fixed", "Fixed amount"
    FREE_SHIPPING = "free_shipping", "Free shipping"


class CouponStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    EXPIRED = "expired", "Expired"


class Coupon(models.Model):
    code = models.CharField(max_length=50, unique=True, help_text="Stored upper-case; matched case-insensitively.")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    type = models.CharField(max_length=20, choices=CouponType.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), help_text="Percent (0-100) or amount."
    )
    max_discount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Total uses; empty = unlimited.")
    used_count = models.PositiveIntegerField(default=0)
    usage_limit_per_user = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="Uses per customer; empty = unlimited."
    )

    min_order_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    applicable_products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    applicable_categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_coupons",
        help_text="Personal coupon: only this customer may use it. Empty = everyone.",
    )

    status = models.CharField(max_length=10, choices=CouponStatus.choices, default=CouponStatus.ACTIVE)
    is_first_time_only = models.BooleanField(default=False)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="coupons_coupon_value_gte_0"),
            models.CheckConstraint(
                condition=~Q(type="percentage") | Q(value__lte=100), name="coupons_coupon_percentage_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(max_discount__isnull=True) | Q(max_discount__gte=0),
                name="coupons_coupon_max_discount_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                name="coupons_coupon_used_lte_limit",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="coupons_coupon_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "end_date"])]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = (self.code or "").strip().upper()
        super().save(*args, **kwargs)


class CouponUsage(models.Model):
    """One use of a coupon by one order. Released (not deleted) when the order is cancelled."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="usages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey("orders.Order", null=True, on_delete=models.SET_NULL, related_name="coupon_usages")
    discount_amount = models.DecimalField(max_digits=10, decimal_places=2)
    used_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True, help_text="Set when the order was cancelled.")

    class Meta:
        ordering = ["-used_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(discount_amount__gte=0), name="coupons_usage_discount_gte_0"),
        ]
        indexes = [
            models.Index(fields=["coupon", "user"], condition=Q(released_at__isnull=True), name="coupons_usage_live")
        ]

    def __str__(self):
        return f"{self.coupon_id} by {self.user_id} on {self.order_id}"
