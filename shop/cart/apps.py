from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"
    verbose_name = "Cart"

    def ready(self):
        from shop.cart import (
            signals,  # noqa: F401 - connects the login merge
            tasks,  # noqa: F401 - registers cart.cleanup_expired
        )
