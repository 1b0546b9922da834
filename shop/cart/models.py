"""Carts for signed-in users (one per user) and guests (a random ``token`` kept in the
session or sent as ``X-Cart-Token``). Lines point at a product or one of its variants.

A cart not touched for ``settings.CART_TTL_DAYS`` days is expired: it reads as empty and
``cart.cleanup_expired`` deletes it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_LINE_QUANTITY = 99


class Cart(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coupon = models.ForeignKey("coupons.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True, help_text="Last activity.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(user__isnull=False), name="cart_one_per_user"),
        ]

    def __str__(self):
        return f"cart {self.pk} ({self.user_id or 'guest'})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(quantity__lte=MAX_LINE_QUANTITY), name="cart_line_quantity_1_99"
            ),
            models.UniqueConstraint(
                fields=["cart", "product"], condition=Q(variant__isnull=True), name="cart_line_product_once"
            ),
            models.UniqueConstraint(
                fields=["cart", "variant"], condition=Q(variant__isnull=False), name="cart_line_variant_once"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}/{self.variant_id}"
