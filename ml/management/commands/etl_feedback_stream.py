from ml.etl.command import EtlCommand
from ml.etl.jobs import feedback_stream_run


class Command(EtlCommand):
    help = "Write feedback_stream documents for reviews, progress entries, questions and answers in a window."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD (default: yesterday, UTC)")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD, inclusive (default: today, UTC)")

    def handle(self, *args, date_from=None, date_to=None, **options):
        self.report(feedback_stream_run(date_from=date_from, date_to=date_to, progress=self.progress))
