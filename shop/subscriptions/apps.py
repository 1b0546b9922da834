from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "shop.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from shop.subscriptions import receivers

        receivers.connect()
