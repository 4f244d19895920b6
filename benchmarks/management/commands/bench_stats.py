import os

from django.core.management.base import BaseCommand

from benchmarks.bench import format_result, run_benchmark


class Command(BaseCommand):
    help = "Time the full statistics recompute against a bare SQL aggregate, and one town's recompute."

    def handle(self, *args, **options):
        self.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        self.stdout.write(format_result(run_benchmark()))
        self.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
