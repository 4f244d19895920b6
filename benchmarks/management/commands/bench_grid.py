from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.bench_grid import GRID_SIZES, run_grid_benchmark
from benchmarks.management.commands.bench import record_grid
from benchmarks.runs import Report, load_average, targets_for
from reforms.models import Town


class Command(BaseCommand):
    help = (
        "Benchmark the case-count entry grid alone (also part of `bench`): a town of 30 and of 300 powers × "
        "12 months, the page and a row save, p95 and SQL queries. Needs a generated database (`bench` makes one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--samples", type=int, default=50)
        parser.add_argument("--sizes", type=int, nargs="+", default=list(GRID_SIZES), help="powers per town")

    def handle(self, *args, runs, samples, sizes, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs against PostgreSQL (set DATABASE_URL).")
        if not Town.objects.exists():
            raise CommandError("No towns: generate a scale first (`manage.py bench --scale county` or generate_data).")
        report = Report()
        for number in range(1, runs + 1):
            self.stdout.write(f"run {number} of {runs}: load average before {load_average()}")
            record_grid(report, run_grid_benchmark(samples, tuple(sizes)), targets_for("province"))
        self.stdout.write("\n".join(report.lines()))
