from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from feedback import list_cache, receivers

        receivers.connect()
        list_cache.connect()

        from feedback import dashboard_panels

        dashboard_panels.register()

        from feedback.demo import seed_notifications
        from skincare.demo import register_demo_step

        register_demo_step("notifications", 36, seed_notifications)
