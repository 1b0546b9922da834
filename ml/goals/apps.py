from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "ml.goals"
    label = "goals"
    verbose_name = "Goals and achievements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ml.goals import receivers

        receivers.connect()
