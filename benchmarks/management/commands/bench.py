import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from benchmarks import bench
from benchmarks.bench_grid import run_grid_benchmark
from benchmarks.bench_pages import run_inbox_benchmark, run_page_benchmark, run_period_benchmark
from benchmarks.generate import SCALES, generate
from benchmarks.runs import Report, load_average, targets_for
from reforms.models import Town


class Command(BaseCommand):
    help = (
        "Benchmark against PostgreSQL, side by side with each floor, over several runs (min / median / max, "
        "with the load average): the full and one town's recompute (calls included), the API list, the town "
        "and overview pages, the department inboxes and the county board of calls. Generates --scale first "
        "if the database has no towns, and then times the first-ever run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="province")
        parser.add_argument("--towns", type=int, default=None, help="cap on generated towns (sample of a scale)")
        parser.add_argument("--runs", type=int, default=3, help="runs of every figure (each target must hold in each)")
        parser.add_argument("--samples", type=int, default=50, help="requests per page figure in each run")
        parser.add_argument("--skip-recompute", action="store_true", help="pages and API only (after statistics exist)")
        parser.add_argument(
            "--months", type=int, default=24, help="months backfilled, and periods the overview switches to"
        )

    def handle(self, *args, scale, towns, runs, samples, skip_recompute, months, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs against PostgreSQL (set DATABASE_URL).")
        if not Town.objects.exists():
            started = time.perf_counter()
            written = generate(scale, towns=towns)
            self.stdout.write(
                f"generated {scale}: {sum(written.values())} rows in {time.perf_counter() - started:.0f} s"
            )
        targets, report, as_of = targets_for(scale), Report(), timezone.localdate()
        self.stdout.write(bench.ledger_size())
        self.stdout.write(f"targets: {scale if scale in ('province', 'nation') else 'province'} scale's")
        ensure_statistics(self.stdout, report, as_of, targets)
        for number in range(1, runs + 1):
            self.stdout.write(f"run {number} of {runs}: load average before {load_average()}")
            report.add("load average (1 minute) at the start of the run", os.getloadavg()[0], "load")
            if not skip_recompute:
                bench.record_run(report, bench.run_once(as_of), targets)
                bench.record_backfill(report, bench.time_backfill(as_of, months), targets)
            record_pages(report, run_page_benchmark(samples), targets)
            record_periods(report, run_period_benchmark(samples, months), targets)
            record_grid(report, run_grid_benchmark(samples), targets)
            record_inboxes(report, run_inbox_benchmark(samples), targets)
            self.stdout.write(f"run {number} of {runs}: load average after {load_average()}")
        self.stdout.write("\n".join(report.lines()))


def ensure_statistics(out, report, as_of, targets):
    """Build the statistics before anything is timed against them; time the first-ever run if it is one."""
    state = bench.statistics_state(as_of)
    if state == "none":
        out.write(f"no statistics yet: timing the first-ever run after the bulk load (load {load_average()})")
        bench.record_first_ever(report, bench.time_first_ever_run(as_of), targets)
    elif state == "month missing":
        seconds, _rows = bench.time_full_recompute(as_of)
        out.write(f"statistics of {as_of:%Y-%m} built first: {seconds:.2f} s (a first run of a month, not timed below)")
    else:
        out.write(
            "first-ever run after a bulk load: not measured here, statistics already existed "
            "(measure it on a freshly generated database)"
        )


def record_pages(report, results, targets):
    """Add one run's page figures to ``report``: each page's median and p95, its queries, the API ratio."""
    names = list(results)
    for name, (median, p95, queries, status) in results.items():
        overview = name.startswith("overview page")
        label = "overview page of the province (reviewer)" if overview else name
        report.add(f"{label}: median", median, "ms")
        report.add(f"{label}: p95", p95, "ms", targets["overview_p95_ms"] if overview else None)
        report.add(f"{label}: SQL queries (HTTP {status})", queries, "")
    api, floor = results[names[0]], results[names[1]]
    report.add("API list ÷ its json_agg floor (medians)", api[0] / floor[0], "x", targets["api_ratio"])


def record_periods(report, results, targets):
    """The overview page at each period: its slowest p95, and how far its query counts differ."""
    if not results:
        return
    p95s = [p95 for _median, p95, _queries, _status in results.values()]
    queries = [count for _median, _p95, count, _status in results.values()]
    report.add(
        f"overview page at each of {len(results)} periods: slowest p95", max(p95s), "ms", targets["period_p95_ms"]
    )
    report.add(
        f"overview page at each of {len(results)} periods: most − fewest SQL queries",
        max(queries) - min(queries),
        "",
        0,
    )


def record_grid(report, results, targets):
    """The case-count grid's page and row save at each size; their query counts must not grow with it."""
    queries = {"page": [], "save": []}
    for name, (median, p95, count, status) in results.items():
        kind = "save" if "save one row" in name else "page"
        report.add(f"{name}: median", median, "ms")
        report.add(f"{name}: p95", p95, "ms", targets[f"grid_{kind}_p95_ms"])
        report.add(f"{name}: SQL queries (HTTP {status})", count, "")
        queries[kind].append(count)
    for kind, counts in queries.items():
        if len(counts) > 1:
            label = "page" if kind == "page" else "row save"
            report.add(f"case-count grid {label}: SQL queries at 300 − at 30 powers", counts[-1] - counts[0], "", 0)


def record_inboxes(report, results, targets):
    """The call inboxes at two data sizes: each page's p95 and queries, and how far the query counts differ."""
    for (name, size), (median, p95, queries, status, listed) in results.items():
        label = f"{name}, {size} data ({listed} calls)"
        report.add(f"{label}: median", median, "ms")
        report.add(f"{label}: p95", p95, "ms", targets["inbox_p95_ms"])
        report.add(f"{label}: SQL queries (HTTP {status})", queries, "")
    for name in dict.fromkeys(name for name, _size in results):
        small, large = results[(name, "small")], results[(name, "large")]
        if small[4] and large[4]:  # an empty page skips its rows' queries: compare two full ones only
            report.add(f"{name}: SQL queries, larger − smaller data", large[2] - small[2], "", 0)
