from django.core.management.base import BaseCommand

from ml import feedback_intelligence


class Command(BaseCommand):
    help = "Learn the sentiment model from the approved rated reviews, then rescore every approved review."

    def handle(self, *args, **options):
        saved = feedback_intelligence.sentiment_model_train()
        self.stdout.write(f"model: {saved.version} on {saved.samples} reviews" if saved else "model: too few reviews")
        result = feedback_intelligence.reviews_sentiment_rescore(
            progress=lambda done, total: self.stdout.write(f"\r{done}/{total} reviews scored", ending="")
        )
        self.stdout.write(f"\n{result['scored']} reviews scored, {result['flagged']} flagged for staff")
