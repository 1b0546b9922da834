from ml.etl.command import EtlCommand
from ml.etl.jobs import purchase_patterns_run


class Command(EtlCommand):
    help = "Rebuild user_purchase_matrix and user_purchase_patterns from the orders."

    def handle(self, *args, **options):
        self.report(purchase_patterns_run(progress=self.progress))
