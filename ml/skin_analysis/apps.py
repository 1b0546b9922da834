from django.apps import AppConfig


class SkinAnalysisConfig(AppConfig):
    name = "ml.skin_analysis"
    label = "skin_analysis"
    verbose_name = "Skin analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ml.skin_analysis import receivers

        receivers.connect()
