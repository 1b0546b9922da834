from django.contrib import admin

from shop.wishlist.models import WishlistFeedback, WishlistItem


@admin.register(WishlistItem)
class WishlistItemAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "created_at"]
    raw_id_fields = ["user", "product"]


@admin.register(WishlistFeedback)
class WishlistFeedbackAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "notify_on_sale", "notify_on_restock", "notify_on_reviews", "updated_at"]
    list_filter = ["notify_on_sale", "notify_on_restock", "notify_on_reviews"]
    raw_id_fields = ["user", "product"]
