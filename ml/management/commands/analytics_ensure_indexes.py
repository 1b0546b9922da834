from django.core.management.base import BaseCommand

from ml.store import get_store
from ml.store.collections import COLLECTIONS


class Command(BaseCommand):
    help = "Create the analytics store's indexes and TTL indexes (MongoDB); idempotent."

    def handle(self, *args, **options):
        store = get_store()
        store.ensure_indexes()
        expiring = sum(spec.expiring for spec in COLLECTIONS.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{store.backend}: indexes of {len(COLLECTIONS)} collections ensured ({expiring} with a TTL)."
            )  # fmt: skip
        )
