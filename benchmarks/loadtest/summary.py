"""The load test's runs side by side: each figure as min / median / max over the runs, with the load.

Reads the locust CSVs that ``run.sh`` wrote for each run (``var/loadtest-run<N>_stats.csv``), the load
averages it recorded (``var/loadtest-load.txt``, one "before after" pair of 1-minute averages a line) and
the CPU seconds (``var/loadtest-cpu.txt``, two lines of ``benchmarks.loadtest.cpu`` a run, side by side:
wall clock, the machine's busy seconds, gunicorn's and the Celery worker's).
Usage: ``python -m benchmarks.loadtest.summary USERS var/loadtest-run1_stats.csv var/loadtest-run2_stats.csv …``;
exits 1 when a target was missed in any run.
"""

import csv
import os
import sys
from pathlib import Path

from benchmarks.runs import Report

# Issue 19: 0 errors and p95 under 300 ms in each run at 50 users (500 ms at 100).
P95_TARGET_MS = {50: 300, 100: 500}


def aggregated(path):
    with open(path, newline="", encoding="utf-8") as file:
        return next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")


def summarise(paths, users, loads=(), cpu=()):
    """The report over the runs; ``cpu`` holds each run's two ``cpu.py`` readings, before then after."""
    report = Report()
    for before, _after in loads:
        report.add("load average (1 minute) at the start of the run", before, "load")
    for path, used in zip(paths, _cpu_used(cpu, len(paths)), strict=True):
        row = aggregated(path)
        if used:
            # Whether the mix is more work than the machine has: busy cores near all of them mean the
            # requests queue for the CPU, and the CPU a request costs says how far it must fall.
            wall, machine, web, worker = used
            requests = max(float(row["Request Count"]), 1.0)
            report.add(f"busy, of the machine's {os.cpu_count()} (every process included)", machine / wall, "cores")
            report.add(
                "CPU per request, the whole machine (PostgreSQL, worker, locust)", machine / requests * 1000, "ms"
            )
            report.add("CPU per request, gunicorn's workers", web / requests * 1000, "ms")
            report.add("CPU of the Celery worker (the recomputes the edits queued)", worker, "s")
        report.add("requests", float(row["Request Count"]), "")
        report.add("errors", float(row["Failure Count"]), "", 0)
        report.add("throughput", float(row["Requests/s"]), "req/s")
        report.add("median", float(row["50%"]), "ms")
        report.add("p95", float(row["95%"]), "ms", P95_TARGET_MS.get(users))
        report.add("p99", float(row["99%"]), "ms")
    return report


def _cpu_used(readings, runs):
    """Per run, (wall seconds, machine's, gunicorn's, worker's CPU seconds) between its two readings, or
    None for each run when they were not recorded."""
    if len(readings) != runs:
        return [None] * runs
    return [tuple(after - before for before, after in zip(line[:4], line[4:], strict=True)) for line in readings]


def _numbers(path):
    return [tuple(map(float, line.split())) for line in path.read_text().splitlines()] if path.exists() else []


def main(argv):
    users = int(argv[0])
    paths = argv[1:]
    loads = _numbers(Path("var/loadtest-load.txt"))
    cpu = _numbers(Path("var/loadtest-cpu.txt"))
    report = summarise(paths, users, loads[-len(paths) :], cpu[-len(paths) :])
    print(f"{users} users, {len(paths)} runs")
    print("\n".join(report.lines()))
    return 1 if report.missed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
