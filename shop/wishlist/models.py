"""Wishlist (seed 001 ``wishlists``) and the shopper's feedback on a wished product
(``wishlist_feedback``). The feedback app sends the sale / restock / review notices."""

from django.conf import settings
from django.db import models


class WishlistItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="wishlist_item_once")]

    def __str__(self):
        return f"{self.user_id} wishes {self.product_id}"


class PurchaseTrigger(models.TextChoices):
    PRICE_DROP = "price_drop", "Price drop"
    MORE_REVIEWS = "more_reviews", "More reviews"
    RESTOCK = "restock", "Back in stock"
    SAMPLE = "sample", "Sample available"
    EXPERT_ADVICE = "expert_advice", "Expert advice"
    BUNDLE = "bundle", "Bundle offer"


class WishlistFeedback(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_feedback")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    interest_reason = models.TextField(blank=True)
    hesitation_reason = models.TextField(blank=True)
    purchase_triggers = models.JSONField(default=list, blank=True)
    notify_on_sale = models.BooleanField(default=True)
    notify_on_reviews = models.BooleanField(default=True)
    notify_on_restock = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "wishlist feedback"
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="wishlist_feedback_once")]
        indexes = [
            models.Index(fields=["product", "notify_on_sale"]),
            models.Index(fields=["product", "notify_on_restock"]),
        ]

    def __str__(self):
        return f"feedback {self.user_id}/{self.product_id}"
