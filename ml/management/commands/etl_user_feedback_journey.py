from ml.etl.command import EtlCommand
from ml.etl.jobs import user_feedback_journey_run


class Command(EtlCommand):
    help = "Rebuild user_feedback_journey per user (purchases and approved feedback in time order)."

    def handle(self, *args, **options):
        self.report(user_feedback_journey_run(progress=self.progress))
