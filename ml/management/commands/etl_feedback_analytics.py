from ml.etl.command import EtlCommand
from ml.etl.jobs import feedback_analytics_run


class Command(EtlCommand):
    help = "Rebuild feedback_analytics per product (ratings, trend fit, efficacy curve)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="analysis date, YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, as_of=None, **options):
        self.report(feedback_analytics_run(as_of=as_of, progress=self.progress))
