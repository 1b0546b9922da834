from django.urls import path

from shop.wishlist import apis

urlpatterns = [
    path("wishlist", apis.WishlistApi.as_view(), name="wishlist"),
    path("wishlist/<int:product_id>", apis.WishlistItemApi.as_view(), name="wishlist-item"),
    path("wishlist/<int:product_id>/feedback", apis.WishlistFeedbackApi.as_view(), name="wishlist-feedback"),
]
