from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from reviews import receivers

        receivers.connect()

        from reviews import dashboard_panels

        dashboard_panels.register()

        from reviews.demo import seed_progress, seed_questions, seed_reviews
        from skincare.demo import register_demo_step

        register_demo_step("reviews", 33, seed_reviews)
        register_demo_step("questions", 34, seed_questions)
        register_demo_step("progress", 35, seed_progress)

        from reviews import invariants

        invariants.register()
