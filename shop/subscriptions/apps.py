from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "shop.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from shop.subscriptions import receivers

        receivers.connect()

        from shop.subscriptions.demo import seed_subscription_plan
        from skincare.demo import register_demo_step

        register_demo_step("subscription plan", 37, seed_subscription_plan)
