from django.core.management.base import BaseCommand

from ml import feedback_intelligence


class Command(BaseCommand):
    help = (
        "Learn the sentiment model from the approved rated reviews, rescore every approved review, "
        "rewrite the product_intelligence documents."
    )

    def handle(self, *args, **options):
        saved = feedback_intelligence.sentiment_model_train()
        self.stdout.write(f"model: {saved.version} on {saved.samples} reviews" if saved else "model: too few reviews")
        result = feedback_intelligence.reviews_sentiment_rescore(
            progress=lambda done, total: self.stdout.write(f"\r{done}/{total} reviews scored", ending="")
        )
        self.stdout.write(f"\n{result['scored']} reviews scored, {result['flagged']} flagged for staff")
        written = feedback_intelligence.product_intelligence_run()
        self.stdout.write(f"{written} product_intelligence documents written")
