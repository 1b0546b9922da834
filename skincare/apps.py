from django.apps import AppConfig


class SkincareConfig(AppConfig):
    name = "skincare"
    verbose_name = "Skincare platform"

    def ready(self):
        from django.db.backends.signals import connection_created

        from skincare import checks  # noqa: F401 - registers the system checks
        from skincare.observability import celery_hooks
        from skincare.observability.metrics import db_connection_instrument

        connection_created.connect(db_connection_instrument, dispatch_uid="skincare.obs.db")
        celery_hooks.connect()
