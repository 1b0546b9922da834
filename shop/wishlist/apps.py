from django.apps import AppConfig


class WishlistConfig(AppConfig):
    name = "shop.wishlist"
    label = "wishlist"
    verbose_name = "Wishlist"
