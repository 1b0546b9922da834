from django.apps import AppConfig


class MlConfig(AppConfig):
    name = "ml"
    verbose_name = "Analytics and ML"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ml import receivers

        receivers.connect()

        from ml import dashboard_panels

        dashboard_panels.register()

        from ml.demo import seed_analytics
        from skincare.demo import register_demo_step

        register_demo_step("analytics", 90, seed_analytics)

        from ml.feedback_intelligence import seed_sentiment

        register_demo_step("sentiment", 80, seed_sentiment)
