"""The load test's runs side by side: each figure as min / median / max over the runs, with the load.

Reads the locust CSVs that ``run.sh`` wrote for each run (``var/loadtest-run<N>_stats.csv``) and the load
averages it recorded (``var/loadtest-load.txt``, one "before after" pair of 1-minute averages a line).
Usage: ``python -m benchmarks.loadtest.summary USERS var/loadtest-run1_stats.csv var/loadtest-run2_stats.csv …``;
exits 1 when a target was missed in any run.
"""

import csv
import sys
from pathlib import Path

from benchmarks.runs import Report

# Issue 19: 0 errors and p95 under 300 ms in each run at 50 users (500 ms at 100).
P95_TARGET_MS = {50: 300, 100: 500}


def aggregated(path):
    with open(path, newline="", encoding="utf-8") as file:
        return next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")


def summarise(paths, users, loads=()):
    report = Report()
    for before, _after in loads:
        report.add("load average (1 minute) at the start of the run", before, "load")
    for path in paths:
        row = aggregated(path)
        report.add("requests", float(row["Request Count"]), "")
        report.add("errors", float(row["Failure Count"]), "", 0)
        report.add("throughput", float(row["Requests/s"]), "req/s")
        report.add("median", float(row["50%"]), "ms")
        report.add("p95", float(row["95%"]), "ms", P95_TARGET_MS.get(users))
        report.add("p99", float(row["99%"]), "ms")
    return report


def main(argv):
    users = int(argv[0])
    paths = argv[1:]
    load_file = Path("var/loadtest-load.txt")
    lines = load_file.read_text().splitlines() if load_file.exists() else []
    loads = [tuple(map(float, line.split())) for line in lines]
    report = summarise(paths, users, loads[-len(paths) :])
    print(f"{users} users, {len(paths)} runs")
    print("\n".join(report.lines()))
    return 1 if report.missed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
