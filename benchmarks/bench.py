"""Timings of the statistics engine against the floor: a bare SQL aggregate over the same tables."""

import contextlib
import datetime as dt
import random
import statistics
import time
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window
from reforms.models import Town
from stats import figures, partitions, services
from stats.models import PowerFigure
from territory import figures as call_figures
from territory.models import Call


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


def calls_aggregate_sql(as_of):
    """The call figures as one plain statement: the twelve months' calls grouped by month and county per
    town × department, department and town (GROUPING SETS), counts and both percentiles of both times,
    as ``territory.figures`` stores them. Part of both floors, since the full run rebuilds them."""
    q = connection.ops.quote_name
    calls, towns = q(Call._meta.db_table), q(Town._meta.db_table)
    first, _last = call_figures._window(as_of.replace(day=1))
    end = call_figures._month_end(as_of.replace(day=1))
    done = "c.state IN ('closed', 'evaluated')"
    accept, close = (
        f"EXTRACT(EPOCH FROM (c.{column} - c.raised_at)) / 3600.0" for column in ("accepted_at", "closed_at")
    )
    percentiles = ", ".join(
        f"percentile_cont({f}) WITHIN GROUP (ORDER BY {hours})" for hours in (accept, close) for f in (0.5, 0.9)
    )
    sql = (
        f"SELECT m, t.county_id, c.town_id, c.department_id, COUNT(*), "  # noqa: S608 (table names from model metadata)
        f"COUNT(*) FILTER (WHERE c.accepted_at IS NOT NULL), COUNT(*) FILTER (WHERE c.accepted_at <= c.accept_due), "
        f"COUNT(*) FILTER (WHERE {done}), COUNT(*) FILTER (WHERE {done} AND c.closed_at <= c.close_due), "
        f"COUNT(*) FILTER (WHERE c.state = 'evaluated'), "
        f"COUNT(*) FILTER (WHERE c.state = 'evaluated' AND c.rating = 'satisfied'), "
        f"COUNT(*) FILTER (WHERE c.state = 'evaluated' AND c.rating = 'basically'), "
        f"COUNT(*) FILTER (WHERE c.state = 'evaluated' AND c.rating = 'dissatisfied'), "
        f"COUNT(*) FILTER (WHERE c.was_disputed), COUNT(*) FILTER (WHERE c.item_id IS NULL), {percentiles} "
        f"FROM {calls} c JOIN {towns} t ON t.id = c.town_id "
        f"CROSS JOIN LATERAL (SELECT date_trunc('month', c.raised_at AT TIME ZONE %s) AS m) mm "
        f"WHERE c.raised_at >= %s AND c.raised_at < %s "
        f"GROUP BY GROUPING SETS ((m, t.county_id, c.town_id, c.department_id), (m, t.county_id, c.department_id), "
        f"(m, t.county_id, c.town_id))"
    )
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    bounds = [dt.datetime.combine(day, dt.time.min, tzinfo=zone) for day in (first, end)]
    return sql, [settings.TIME_ZONE, *bounds]


def year_figures_sql(as_of):
    """The year figures a full run stores for cities and provinces, as the plain SELECTs the run itself
    issues: the response times per city and province (one GROUPING SETS pass), the calls per list item
    and, per county, the items never called, over ``as_of``'s year. Part of both floors with the calls'
    aggregate."""
    start, end = call_figures._year_bounds(as_of.year)
    return [
        call_figures._region_times_statement(as_of.year),
        (call_figures.item_call_counts_statement(), [start, end]),
        call_figures.never_called_statement(as_of.year),
    ]


def calls_floor_statements(as_of):
    """Every bare statement of the calls' part of the floors."""
    return [calls_aggregate_sql(as_of), *year_figures_sql(as_of)]


def time_statements(statements):
    """Seconds to run ``statements`` [(sql, params)] and fetch their rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


def time_calls_aggregate(as_of):
    """Seconds of the calls' bare statements (``calls_floor_statements``)."""
    return time_statements(calls_floor_statements(as_of))


def time_bare_aggregate(as_of, calls=True):
    """Seconds to compute the per-town/type/mode split and case sums in two plain SQL statements, and
    (``calls``) the call figures in a third."""
    first, last = activity_window(as_of)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in _bare_aggregate_sql():
            cursor.execute(sql, [first, last])
            cursor.fetchall()
    seconds = time.perf_counter() - started
    return seconds + (time_calls_aggregate(as_of) if calls else 0)


def _town_figure_selects(as_of):
    """The bare grouped SELECTs of every town figure (power and other strands), no insert, no roll-up."""
    yield figures.power_figures_select(as_of)
    for _metrics, sql, params in figures.town_figure_selects(as_of):
        yield sql, params


def time_same_figures_floor(as_of, calls=True):
    """Seconds to SELECT every town-level figure the recompute writes, each source in one plain statement,
    the call figures (``calls``) included.

    Same settings as the recompute (jit off, work_mem 128MB) so that the floor is not handicapped.
    """
    selects = list(_town_figure_selects(as_of))
    if calls:
        selects.extend(calls_floor_statements(as_of))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '128MB', true)")
        started = time.perf_counter()
        for sql, params in selects:
            cursor.execute(sql, params)
            cursor.fetchall()
        return time.perf_counter() - started


@contextlib.contextmanager
def timing_call_figures():
    """Within the block, the seconds the statistics run spends in the call figures, in ``spent[0]``."""
    spent = [0.0]
    # The engine calls the call figures through their module (``stats.services._rebuild``): wrapping
    # the module's function for the block times exactly those calls, and nothing else changes.
    original = services.call_figures.recompute

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    services.call_figures.recompute = timed
    try:
        yield spent
    finally:
        services.call_figures.recompute = original


def time_full_recompute(as_of, spent=None):
    """Seconds of the full recompute; the ANALYZE that follows it is timed apart (``time_analyse``).

    With a list ``spent``, the seconds spent in the call figures are appended to it.
    """
    with timing_call_figures() as calls:
        started = time.perf_counter()
        run = services.recompute_all(as_of, triggered_by="bench", analyse=False)
        seconds = time.perf_counter() - started
    if spent is not None:
        spent.append(calls[0])
    return seconds, run.rows_written


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


def time_town_recomputes(as_of, calls_changed, samples=20, seed=1):
    """Median and maximum seconds of ``samples`` towns' runs after an edit, each drained from the outbox
    as the worker drains it, and the call figures' share of their total time (percent).

    ``calls_changed``: the edit was a step of the town's latest call (an answer, as departments give
    them through the day), so the run recomputes the town's call figures of that call's month on, as
    ``territory.services`` asks; else an edit of another ledger row, which leaves them alone.
    """
    ids = list(Town.objects.values_list("pk", flat=True))
    picks = random.Random(seed).sample(ids, min(samples, len(ids)))  # noqa: S311 (sampling, not secrets)
    services.pending_drain(as_of, triggered_by="bench")  # whatever earlier steps left queued, untimed
    durations = []
    with timing_call_figures() as calls:
        for town_id in picks:
            latest = Call.objects.filter(town_id=town_id).values_list("raised_at", flat=True).first()
            since = timezone.localtime(latest).date() if calls_changed and latest else None
            services.pending_mark({town_id}, calls_changed=calls_changed, calls_since=since)
            started = time.perf_counter()
            services.pending_drain(as_of, triggered_by="bench")
            durations.append(time.perf_counter() - started)
    return statistics.median(durations), max(durations), 100 * calls[0] / sum(durations)


def time_first_ever_run(as_of):
    """The first full run after a bulk load, against the floor measured right after it.

    Meaningful only when no summary row exists in any month: every row is inserted, every partition
    created, and the planner knows the freshly loaded ledger only from what autovacuum analysed.
    """
    seconds, rows = time_full_recompute(as_of)
    floor = min(time_bare_aggregate(as_of), time_same_figures_floor(as_of))
    return {"first_ever_s": seconds, "first_ever_rows": rows, "first_ever_floor_s": floor}


def time_backfill(as_of, months=24):
    """A backfill of the ``months`` months before ``as_of``'s against as many single-month floors, all
    measured in the same run (issue 14: the backfill at most 1.5× the floors)."""
    last = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = services.months_between(last.replace(year=last.year - (months // 12 + 1)), last)[-months]
    ends = [services.month_end(month) for month in services.months_between(first, last)]
    # A past month's run rebuilds the ledger figures only (no monthly call figures, no alerts): so do its
    # floors; with the year figures of cities and provinces, stored once for each year the months fall in.
    floors = sum(min(time_bare_aggregate(end, False), time_same_figures_floor(end, False)) for end in ends)
    floors += sum(time_statements(year_figures_sql(end)) for end in {end.year: end for end in ends}.values())
    started = time.perf_counter()
    services.recompute_history(first, last, triggered_by="bench", today=as_of)
    seconds = time.perf_counter() - started
    return {"backfill_s": seconds, "backfill_floors_s": floors, "backfill_ratio": seconds / floors, "months": len(ends)}


def record_backfill(report, result, targets):
    months = result["months"]
    report.add(f"backfill of {months} months", result["backfill_s"], "s")
    report.add(f"{months} single-month floors (the faster of A and B each month)", result["backfill_floors_s"], "s")
    report.add(
        f"backfill of {months} months ÷ their floors in the same run",
        result["backfill_ratio"],
        "x",
        targets["backfill_ratio"],
    )


def statistics_state(as_of):
    """ "none" before any full run, "month missing" when ``as_of``'s month has none yet, else "present"."""
    if not PowerFigure.objects.exists():
        return "none"
    if not PowerFigure.objects.filter(period=as_of.replace(day=1)).exists():
        return "month missing"
    return "present"


def run_once(as_of):
    """One run's statistics figures; each ratio is against the faster floor measured in the same run."""
    floor_a = time_bare_aggregate(as_of)
    floor_b = time_same_figures_floor(as_of)
    calls_floor = time_calls_aggregate(as_of)
    spent = []
    nightly, nightly_rows = time_full_recompute(as_of, spent)
    new_month, new_month_rows = time_first_run_of_month(as_of)
    floor_a, floor_b = min(floor_a, time_bare_aggregate(as_of)), min(floor_b, time_same_figures_floor(as_of))
    calls_floor = min(calls_floor, time_calls_aggregate(as_of))
    analyse = time_analyse()
    town_median, town_max, _share = time_town_recomputes(as_of, calls_changed=False)
    call_median, call_max, town_calls_share = time_town_recomputes(as_of, calls_changed=True)
    floor = min(floor_a, floor_b)
    return {
        "calls_floor_s": calls_floor,
        "calls_nightly_s": spent[0],
        "calls_share_pct": 100 * spent[0] / nightly,
        "floor_a_s": floor_a,
        "floor_b_s": floor_b,
        "floor_s": floor,
        "nightly_s": nightly,
        "nightly_rows": nightly_rows,
        "nightly_ratio": nightly / floor,
        "new_month_s": new_month,
        "new_month_rows": new_month_rows,
        "new_month_ratio": new_month / floor,
        "analyse_s": analyse,
        "town_median_ms": town_median * 1000,
        "town_max_ms": town_max * 1000,
        "town_call_edit_median_ms": call_median * 1000,
        "town_call_edit_max_ms": call_max * 1000,
        "town_calls_share_pct": town_calls_share,
    }


def record_run(report, result, targets):
    """Add one run's statistics figures to ``report`` (benchmarks.runs.Report)."""
    report.add("floor A: the two-statement aggregate + the calls' aggregate", result["floor_a_s"], "s")
    report.add("floor B: every town figure's bare SELECT + the calls' aggregate", result["floor_b_s"], "s")
    report.add("the calls' bare statements, year figures included (in both floors)", result["calls_floor_s"], "s")
    report.add("nightly run, ledger unchanged, calls included", result["nightly_s"], "s")
    report.add("nightly run ÷ the faster floor of the same run", result["nightly_ratio"], "x", targets["nightly_ratio"])
    report.add("call figures in the nightly run", result["calls_nightly_s"], "s")
    report.add("call figures' share of the nightly run", result["calls_share_pct"], "%")
    report.add("first run of a month (every row inserted)", result["new_month_s"], "s")
    report.add(
        "first run of a month ÷ the faster floor of the same run",
        result["new_month_ratio"],
        "x",
        targets["new_month_ratio"],
    )
    report.add(
        "full recompute with calls ÷ the floor with calls, the worse of the two runs above (issue 16)",
        max(result["nightly_ratio"], result["new_month_ratio"]),
        "x",
        targets["calls_ratio"],
    )
    report.add("ANALYZE of the summary tables after a run (not in the run)", result["analyse_s"], "s")
    median = targets["town_median_ms"]
    report.add("one town's run after a ledger edit, median of 20 towns", result["town_median_ms"], "ms", median)
    report.add("one town's run after a ledger edit, slowest of 20 towns", result["town_max_ms"], "ms")
    report.add("one town's run after a call edit, median of 20 towns", result["town_call_edit_median_ms"], "ms", median)
    report.add("one town's run after a call edit, slowest of 20 towns", result["town_call_edit_max_ms"], "ms")
    report.add("call figures' share of the runs after a call edit", result["town_calls_share_pct"], "%")


def record_first_ever(report, result, targets):
    report.add("first-ever run after the bulk load", result["first_ever_s"], "s")
    report.add(
        "first-ever run ÷ the faster floor measured after it",
        result["first_ever_s"] / result["first_ever_floor_s"],
        "x",
        targets["first_ever_ratio"],
    )


def ledger_size():
    """The size of what is measured, as printed before the figures."""
    return (
        f"{connection.vendor}: {Town.objects.count()} towns, {DelegatedPower.objects.count()} delegated powers, "
        f"{MonthlyCaseCount.objects.count()} case-count rows, {Call.objects.count()} calls"
    )
