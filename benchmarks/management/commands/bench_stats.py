import os

from django.core.management.base import BaseCommand
from django.utils import timezone

from benchmarks import bench
from benchmarks.management.commands.bench import ensure_statistics
from benchmarks.runs import Report, load_average, targets_for


class Command(BaseCommand):
    help = (
        "Time the full statistics recompute against bare SQL floors, and one town's recompute, over several "
        "runs (min / median / max, with the load average); the first-ever run if no statistics exist yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--targets", choices=["province", "nation"], default="province")

    def handle(self, *args, runs, targets, **options):
        targets, report, as_of = targets_for(targets), Report(), timezone.localdate()
        self.stdout.write(bench.ledger_size())
        ensure_statistics(self.stdout, report, as_of, targets)
        for number in range(1, runs + 1):
            self.stdout.write(f"run {number} of {runs}: load average before {load_average()}")
            report.add("load average (1 minute) at the start of the run", os.getloadavg()[0], "load")
            bench.record_run(report, bench.run_once(as_of), targets)
            self.stdout.write(f"run {number} of {runs}: load average after {load_average()}")
        self.stdout.write("\n".join(report.lines()))
