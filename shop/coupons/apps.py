from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "shop.coupons"
    label = "coupons"
    verbose_name = "Coupons"
