"""The grid benchmark measures what it says: a page and a row save per size, and each save writes."""

import pytest

from benchmarks.bench_grid import run_grid_benchmark
from benchmarks.generate import generate
from delegation.models import MonthlyCaseCount

pytestmark = pytest.mark.django_db(transaction=True)


def test_grid_figures_for_each_size_with_their_queries():
    generate("tiny")
    results = run_grid_benchmark(samples=2, sizes=(3, 6))
    assert len(results) == 4
    page3, save3, page6, save6 = results.values()
    assert page3[3] == page6[3] == 200
    assert save3[3] == save6[3] == 302
    assert page3[2] == page6[2]  # queries do not grow with the powers
    assert save3[2] == save6[2]
    # Every sample wrote a new value: the last one is the warm-up (1), the counted save (2), then 3 and 4.
    saved = MonthlyCaseCount.objects.filter(power__town__name="录入表测试镇3").order_by("power_id", "month")[:12]
    assert {row.accepted for row in saved} == {4}
