from django.core.management.base import BaseCommand

from shop.files.services import files_cleanup


class Command(BaseCommand):
    help = "Delete expired temporary files, purge the blobs of deleted files and remove stray blobs."

    def handle(self, *args, **options):
        counts = files_cleanup()
        self.stdout.write(
            f"Expired temporary files: {counts['expired']}\n"
            f"Purged deleted files: {counts['purged']}\n"
            f"Removed stray blobs: {counts['stray']}"
        )
