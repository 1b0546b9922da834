from ml.etl.command import EtlCommand
from ml.etl.jobs import daily_metrics_run


class Command(EtlCommand):
    help = "Roll up one UTC day (default yesterday): performance_metrics, order_analytics, product_analytics."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday, UTC)")

    def handle(self, *args, date=None, **options):
        self.report(daily_metrics_run(day=date, progress=self.progress))
