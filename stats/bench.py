"""Timings of the statistics engine against the floor: a bare SQL aggregate over the same tables."""

import random
import statistics
import time

from django.db import connection
from django.utils import timezone

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window
from reforms.models import Town

from . import services


def _bare_aggregate_sql():
    q = connection.ops.quote_name
    powers, items, cases = (q(m._meta.db_table) for m in (DelegatedPower, PowerItem, MonthlyCaseCount))
    states = (
        f"SELECT p.town_id, i.type_code, p.mode, COUNT(*), "  # noqa: S608 (table names from model metadata)
        f"SUM(CASE WHEN p.take_over_status = 'taken_over' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN p.take_over_status = 'taken_over' AND EXISTS (SELECT 1 FROM {cases} c "
        f"WHERE c.power_id = p.id AND c.handled_by = 'town' AND c.month BETWEEN %s AND %s AND c.accepted > 0) "
        f"THEN 1 ELSE 0 END) FROM {powers} p JOIN {items} i ON i.id = p.item_id GROUP BY 1, 2, 3"
    )
    totals = (
        f"SELECT p.town_id, i.type_code, p.mode, c.handled_by, SUM(c.accepted) FROM {cases} c "  # noqa: S608 (table names from model metadata)
        f"JOIN {powers} p ON p.id = c.power_id JOIN {items} i ON i.id = p.item_id "
        f"WHERE c.month BETWEEN %s AND %s GROUP BY 1, 2, 3, 4"
    )
    return states, totals


def time_bare_aggregate(as_of):
    """Seconds to compute the per-town/type/mode split and case sums in two plain SQL statements."""
    first, last = activity_window(as_of)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in _bare_aggregate_sql():
            cursor.execute(sql, [first, last])
            cursor.fetchall()
    return time.perf_counter() - started


def time_full_recompute(as_of):
    started = time.perf_counter()
    run = services.recompute_all(as_of, triggered_by="bench")
    return time.perf_counter() - started, run.rows_written


def time_town_recomputes(as_of, samples=20, seed=1):
    """Median and maximum seconds of ``samples`` single-town recomputes."""
    ids = list(Town.objects.values_list("pk", flat=True))
    picks = random.Random(seed).sample(ids, min(samples, len(ids)))  # noqa: S311 (sampling, not secrets)
    durations = []
    for town_id in picks:
        started = time.perf_counter()
        services.recompute_town(town_id, as_of, triggered_by="bench")
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), max(durations)


def run_benchmark(as_of=None):
    """Floor, full recompute (twice: cold then warm) and per-town recompute, in one run."""
    as_of = as_of or timezone.localdate()
    time_bare_aggregate(as_of)  # warm the cache so that the floor is not penalised by the first read
    floor = time_bare_aggregate(as_of)
    full_first, rows = time_full_recompute(as_of)
    full_second, _rows = time_full_recompute(as_of)
    floor_after = time_bare_aggregate(as_of)
    town_median, town_max = time_town_recomputes(as_of)
    floor = min(floor, floor_after)
    full = min(full_first, full_second)
    return {
        "vendor": connection.vendor,
        "towns": Town.objects.count(),
        "powers": DelegatedPower.objects.count(),
        "case_rows": MonthlyCaseCount.objects.count(),
        "floor_s": floor,
        "full_s": full,
        "full_runs_s": (full_first, full_second),
        "ratio": full / floor,
        "rows_written": rows,
        "town_median_ms": town_median * 1000,
        "town_max_ms": town_max * 1000,
    }
