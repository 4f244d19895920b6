import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.bench import format_result, run_benchmark
from benchmarks.bench_pages import run_page_benchmark
from benchmarks.generate import SCALES, generate
from reforms.models import Town


class Command(BaseCommand):
    help = (
        "Benchmark against PostgreSQL, side by side with each floor: the API list, the full and one town's "
        "recompute, the town and overview pages, queries per request. Generates --scale first if the "
        "database has no towns."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="province")
        parser.add_argument("--towns", type=int, default=None, help="cap on generated towns (sample of a scale)")
        parser.add_argument("--samples", type=int, default=50, help="requests per page figure")
        parser.add_argument("--skip-recompute", action="store_true", help="pages and API only")

    def handle(self, *args, scale, towns, samples, skip_recompute, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs against PostgreSQL (set DATABASE_URL).")
        if not Town.objects.exists():
            started = time.perf_counter()
            written = generate(scale, towns=towns)
            self.stdout.write(
                f"generated {scale}: {sum(written.values())} rows in {time.perf_counter() - started:.0f} s"
            )
        self.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        self._pages(samples)
        if not skip_recompute:
            self._recompute()
        self.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def _pages(self, samples):
        self.stdout.write(f"{'figure':<66} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'status':>7}")
        results = run_page_benchmark(samples)
        for name, row in results.items():
            if row is None:
                self.stdout.write(f"{name:<66} {'—':>10}")
                continue
            median, p95, queries, status = row
            self.stdout.write(f"{name:<66} {median:>10.1f} {p95:>8.1f} {queries:>8} {status:>7}")
        api, floor = list(results.values())[:2]
        self.stdout.write(f"API list ÷ floor (median): {api[0] / floor[0]:.1f}x (target ≤ 10x)")

    def _recompute(self):
        self.stdout.write(format_result(run_benchmark()))
