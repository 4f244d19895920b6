"""Province-scale benchmark (make bench-tests): each target in every run, the first-ever run included.

Generates BENCH_SCALE (default province: 2,040 towns x 300 powers, ~6.9 M case-count rows) into the
test database, which takes minutes; run on PostgreSQL, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/trk_bench make bench-tests``.
"""

import os

import pytest
from django.utils import timezone

from benchmarks.bench import run_once, time_first_ever_run
from benchmarks.generate import generate
from benchmarks.runs import targets_for

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True)]


def test_every_run_of_the_statistics_is_inside_its_targets():
    scale = os.environ.get("BENCH_SCALE", "province")
    targets, as_of = targets_for(scale), timezone.localdate()
    generate(scale)
    first = time_first_ever_run(as_of)
    runs = [run_once(as_of) for _ in range(int(os.environ.get("BENCH_RUNS", "3")))]
    print(first, *runs, sep="\n")
    if targets["first_ever_ratio"] is not None:
        assert first["first_ever_s"] / first["first_ever_floor_s"] <= targets["first_ever_ratio"], first
    for run in runs:
        assert run["nightly_ratio"] <= targets["nightly_ratio"], run
        assert run["new_month_ratio"] <= targets["new_month_ratio"], run
        assert run["town_median_ms"] < targets["town_median_ms"], run
        assert run["town_call_edit_median_ms"] < targets["town_median_ms"], run
