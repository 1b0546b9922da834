from django.core.management.base import BaseCommand, CommandError

from skincare.invariants import invariant_run, invariants


class Command(BaseCommand):
    help = "Check that totals, refunds, stock and counters agree with their sources. Exits 1 on any violation."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="run only these checks")
        parser.add_argument("--examples", type=int, default=5, help="example ids to show per failing check")

    def handle(self, *args, only, examples, **options):
        checks = [c for c in invariants() if not only or c.name in only]
        unknown = sorted(set(only or ()) - {c.name for c in checks})
        if unknown:
            raise CommandError(f"Unknown checks: {', '.join(unknown)}.")
        failed = 0
        for check in checks:
            result = invariant_run(check, examples=examples)
            if result.count:
                failed += 1
                ids = ", ".join(str(pk) for pk in result.examples)
                self.stdout.write(
                    self.style.ERROR(f"{result.name}: {result.count} violations (e.g. {ids}) - {result.description}")
                )
            else:
                self.stdout.write(f"{result.name}: 0 violations")
        if failed:
            raise CommandError(f"{failed} of {len(checks)} invariants violated.")
        self.stdout.write(self.style.SUCCESS(f"All {len(checks)} invariants hold."))
