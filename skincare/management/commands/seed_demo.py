import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from skincare.demo import demo_steps


class ProgressBar:
    """A small text progress bar for long steps (no dependency needed).

    On a terminal it redraws in place when the percentage changes; in a log (CI, pipes) it
    prints a line every 25% so the output stays short.
    """

    def __init__(self, stream, width=30):
        self.stream, self.width, self.started = stream, width, time.monotonic()
        self.interactive = hasattr(stream, "isatty") and stream.isatty()
        self.last_percent, self.last_label = -1, None

    def __call__(self, done, total, label=""):
        if label != self.last_label:  # a new phase of the step: its own bar, from its first call
            self.last_label, self.last_percent = label, -1
        total = max(total, 1)
        percent = int(100 * min(done, total) / total)
        step = 1 if self.interactive else 25
        if percent // step == self.last_percent // step and done < total:
            return
        if done >= total and self.last_percent == 100:
            return
        self.last_percent = percent
        filled = int(self.width * percent / 100)
        elapsed = time.monotonic() - self.started
        line = f"  [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {label} ({elapsed:.1f}s)"
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
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
            started = time.monotonic()
            with transaction.atomic():
                summary = step.run(scale=scale, progress=ProgressBar(self.stdout))
            if summary:
                self.stdout.write(str(summary))
            self.stdout.write(f"  {step.name} done in {time.monotonic() - started:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(steps)} steps)."))
