from django.core.management.base import BaseCommand

from stats.bench import run_benchmark


class Command(BaseCommand):
    help = "Time the full statistics recompute against a bare SQL aggregate, and one town's recompute."

    def handle(self, *args, **options):
        r = run_benchmark()
        self.stdout.write(
            f"{r['vendor']}: {r['towns']} towns, {r['powers']} delegated powers, {r['case_rows']} case-count rows\n"
            f"bare SQL aggregate (floor): {r['floor_s']:.2f} s\n"
            f"full recompute: {r['full_s']:.2f} s (runs: {', '.join(f'{s:.2f}' for s in r['full_runs_s'])}), "
            f"{r['rows_written']} rows, {r['ratio']:.2f}x the floor\n"
            f"one town's recompute: median {r['town_median_ms']:.1f} ms, max {r['town_max_ms']:.1f} ms"
        )
