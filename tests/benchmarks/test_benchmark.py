"""Province-scale benchmark (make bench): full recompute vs the bare SQL floor, one town's recompute.

Generates BENCH_SCALE (default province: 2,040 towns x 300 powers, ~6.9 M case-count rows) into the
test database, which takes minutes; run on PostgreSQL, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/trk_bench make bench``.
"""

import os

import pytest

from benchmarks.bench import run_benchmark
from benchmarks.generate import generate

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True)]


def test_full_recompute_is_within_twice_the_floor_and_a_town_takes_under_50_ms():
    generate(os.environ.get("BENCH_SCALE", "province"))
    result = run_benchmark()
    print(result)
    assert result["ratio"] <= 2, result
    assert result["town_median_ms"] < 50, result
