"""Timings of the statistics engine against the floor: a bare SQL aggregate over the same tables."""

import random
import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window
from reforms.models import Town
from stats import figures, partitions, services


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


def _town_figure_selects(as_of):
    """The bare grouped SELECTs of every town figure (power and other strands), no insert, no roll-up."""
    yield figures.power_figures_select(as_of)
    for _metrics, sql, params in figures.town_figure_selects(as_of):
        yield sql, params


def time_same_figures_floor(as_of):
    """Seconds to SELECT every town-level figure the recompute writes, each source in one plain statement.

    Same settings as the recompute (jit off, work_mem 128MB) so that the floor is not handicapped.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '128MB', true)")
        started = time.perf_counter()
        for sql, params in _town_figure_selects(as_of):
            cursor.execute(sql, params)
            cursor.fetchall()
        return time.perf_counter() - started


def time_full_recompute(as_of):
    """Seconds of the full recompute; the ANALYZE that follows it is timed apart (``time_analyse``)."""
    started = time.perf_counter()
    run = services.recompute_all(as_of, triggered_by="bench", analyse=False)
    return time.perf_counter() - started, run.rows_written


def time_first_run_of_month(as_of):
    """Seconds of the full recompute when the month has no summary rows yet (the first night of a
    month: every row is inserted, where later nights write only the rows that changed)."""
    period = as_of.replace(day=1)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A new month has no partition yet (see full_runs._load_partition).
            for model, _dims, _measures in figures.TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {partitions.name(model, period)}")
        else:
            for sql, params in figures.delete_statements(period):
                cursor.execute(sql, params)
    services.analyse_summaries()
    return time_full_recompute(as_of)


def time_analyse():
    started = time.perf_counter()
    services.analyse_summaries()
    return time.perf_counter() - started


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
    same = time_same_figures_floor(as_of)
    full_first, first_rows = time_full_recompute(as_of)
    full_second, rows = time_full_recompute(as_of)
    new_month, new_month_rows = time_first_run_of_month(as_of)
    floor_after = time_bare_aggregate(as_of)
    same_after = time_same_figures_floor(as_of)
    analyse = time_analyse()
    town_median, town_max = time_town_recomputes(as_of)
    # The stricter (faster) of the two floors: the two-statement aggregate of the first benchmark, and
    # every town figure's bare SELECT in its best formulation.
    floor = min(floor, floor_after, same, same_after)
    full = min(full_first, full_second)
    return {
        "floor_two_statements_s": min(floor_after, time_bare_aggregate(as_of)),
        "floor_same_figures_s": min(same, same_after),
        "analyse_s": analyse,
        "vendor": connection.vendor,
        "towns": Town.objects.count(),
        "powers": DelegatedPower.objects.count(),
        "case_rows": MonthlyCaseCount.objects.count(),
        "floor_s": floor,
        "full_s": full,
        "full_runs_s": (full_first, full_second),
        "ratio": full / floor,
        "rows_written": (first_rows, rows),
        "new_month_s": new_month,
        "new_month_rows": new_month_rows,
        "new_month_ratio": new_month / floor,
        "town_median_ms": town_median * 1000,
        "town_max_ms": town_max * 1000,
    }


def format_result(r):
    """The recompute figures as printed by ``bench`` and ``bench_stats``."""
    return (
        f"{r['vendor']}: {r['towns']} towns, {r['powers']} delegated powers, {r['case_rows']} case-count rows\n"
        f"floor A, the two-statement aggregate (split per town, type, mode; case sums): "
        f"{r['floor_two_statements_s']:.2f} s\n"
        f"floor B, every town figure's bare SELECT (power + other strands): {r['floor_same_figures_s']:.2f} s\n"
        f"floor used (the faster): {r['floor_s']:.2f} s\n"
        f"full recompute: {r['full_s']:.2f} s (runs: {', '.join(f'{s:.2f}' for s in r['full_runs_s'])}; "
        f"rows written: {', '.join(map(str, r['rows_written']))}), {r['ratio']:.2f}x the floor (target ≤ 2x)\n"
        f"full recompute, first run of a month (no rows yet, all {r['new_month_rows']} inserted): "
        f"{r['new_month_s']:.2f} s, {r['new_month_ratio']:.2f}x the floor\n"
        f"ANALYZE of the summary tables after it (not in the run): {r['analyse_s']:.2f} s\n"
        f"one town's recompute: median {r['town_median_ms']:.1f} ms, max {r['town_max_ms']:.1f} ms (target < 50 ms)"
    )
