from django.apps import AppConfig


class SkinAnalysisConfig(AppConfig):
    name = "ml.skin_analysis"
    label = "skin_analysis"
    verbose_name = "Skin analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ml.skin_analysis import receivers

        receivers.connect()

        from ml.skin_analysis import demo
        from skincare.demo import register_demo_step

        register_demo_step("skin analyses", 82, demo.seed_skin_analyses)
        register_demo_step("journal week feedback", 83, demo.seed_week_feedback)
        register_demo_step("goals", 84, demo.seed_goals)
        register_demo_step("achievements", 85, demo.seed_achievements)
