from django.core.management.base import BaseCommand

BAR_WIDTH = 30


class EtlCommand(BaseCommand):
    """Runs one ETL job in-process with a progress bar (the same function the Celery task runs)."""

    def progress(self, done, total):
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        if done == total:
            self.stdout.write("")

    def report(self, result):
        self.stdout.write(self.style.SUCCESS(f"Done: {result.rows_read} rows read, {result.rows_written} written."))
