from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "shop.coupons"
    label = "coupons"
    verbose_name = "Coupons"

    def ready(self):
        from shop.coupons import invariants

        invariants.register()
