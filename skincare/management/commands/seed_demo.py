import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from skincare.demo import demo_steps


class ProgressBar:
    """A small text progress bar for long steps (no dependency needed)."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, done, total, label=""):
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r  [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {label} ({elapsed:.1f}s)")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Create (or top up) a believable demo shop. Idempotent; --scale multiplies the volumes."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a few hundred products")
        parser.add_argument("--only", nargs="*", help="run only these steps")

    def handle(self, *args, scale, only, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        steps = [s for s in demo_steps() if not only or s.name in only]
        for step in steps:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{step.name}"))
            with transaction.atomic():
                summary = step.run(scale=scale, progress=ProgressBar(sys.stdout))
            if summary:
                self.stdout.write(str(summary))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(steps)} steps)."))
