import time

from django.core.management.base import BaseCommand

from benchmarks.generate import SCALES, generate


class Command(BaseCommand):
    help = "Bulk-generate a synthetic ledger for benchmarks (county, province = 2,000 towns, nation)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--towns", type=int, default=None, help="stop after this many towns (sample of a scale)")

    def handle(self, *args, scale, seed, towns, **options):
        started = time.perf_counter()

        def progress(done, total):
            if total > 1:
                self.stdout.write(f"province {done}/{total} committed, {time.perf_counter() - started:.0f} s")
                self.stdout.flush()

        written = generate(scale, seed=seed, towns=towns, progress=progress)
        for model, rows in sorted(written.items()):
            self.stdout.write(f"{model}: {rows}")
        self.stdout.write(f"{scale}: {sum(written.values())} rows in {time.perf_counter() - started:.1f} s")
