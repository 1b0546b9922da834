from ml.etl.command import EtlCommand
from ml.etl.jobs import recommendations_precompute_run


class Command(EtlCommand):
    help = "Rebuild product_recommendations and product_similarities with the hybrid recommender."

    def handle(self, *args, **options):
        self.report(recommendations_precompute_run(progress=self.progress))
