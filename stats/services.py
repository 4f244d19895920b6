"""Write paths of the statistics engine: full and per-town recompute, run records, the outbox.

A recompute rebuilds the period's summary rows inside one transaction holding a lock (a PostgreSQL
advisory lock; a locked row elsewhere), so two runs never interleave and readers never see a
half-built table. Every run computes the figures afresh from the ledger, which makes it idempotent: the
full run stages them and writes only the rows that differ, a town's run replaces its rows and re-sums
the scopes above it.
"""

import datetime as dt
import logging
from collections import defaultdict
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_edit
from core.signals import town_touched
from reforms.models import ProgrammeMembership, Town
from territory import figures as call_figures
from territory.models import CallFigure, DepartmentYearCalls

from . import full_runs, town_runs
from .alerts import sync_alerts
from .models import Alert, Figure, PendingRecompute, PowerFigure, RecomputeLock, RecomputeRun, ScopeKind, TownPowerTotal

logger = logging.getLogger(__name__)

# Arbitrary constant naming the statistics lock among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 58_201_905
# With a run's id, names the lock that says the run's process is alive (see run_claimed).
RUN_LOCK_CLASS = 58_201_906


def _run_lock(function, run_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [RUN_LOCK_CLASS, run_id % 2**31])
        return cursor.fetchone()[0]


@contextmanager
def run_claimed(run):
    """Hold a session-level advisory lock named by ``run`` while its process works on it.

    PostgreSQL releases the lock when the holder's connection ends, however the process ended, so a
    run whose lock can be taken is one that nobody is running any more (see ``runs_reap``).
    """
    if connection.vendor != "postgresql":
        yield run
        return
    _run_lock("pg_advisory_lock", run.pk)
    try:
        yield run
    finally:
        _run_lock("pg_advisory_unlock", run.pk)


def runs_reap():
    """Close the records of runs whose process died midway (killed, out of memory, host restarted).

    Returns how many were closed. On PostgreSQL a run is dead when its lock is free; elsewhere (the
    embedded default, one process) when it has been running longer than a task may run.
    """
    running = RecomputeRun.objects.filter(outcome=RecomputeRun.Outcome.RUNNING)
    if connection.vendor == "postgresql":
        dead = [pk for pk in running.values_list("pk", flat=True) if _run_lock("pg_try_advisory_lock", pk)]
    else:
        limit = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        dead = list(running.filter(started_at__lt=limit).values_list("pk", flat=True))
    closed = RecomputeRun.objects.filter(pk__in=dead, outcome=RecomputeRun.Outcome.RUNNING).update(
        outcome=RecomputeRun.Outcome.ABANDONED,
        finished_at=timezone.now(),
        error=_("运行进程中途退出,本次重算未完成;统计数据保持上一次成功重算的结果。"),
    )
    if connection.vendor == "postgresql":
        for pk in dead:
            _run_lock("pg_advisory_unlock", pk)
    if closed:
        logger.warning("statistics: %s recompute run(s) found abandoned", closed)
    return closed


@contextmanager
def _recompute_lock(narrow=False):
    """Serialise recomputes and tune the planner for them; must be entered inside a transaction."""
    if connection.vendor == "postgresql":
        # One round trip: the lock, then settings local to the transaction. JIT compilation costs more
        # than it saves on these few short aggregate statements; work_mem gives room to hash-aggregate
        # per town, type and mode in memory; a town's few hundred rows are best reached by index
        # lookups, not table scans (random_page_cost).
        # synchronous_commit off: a run is one transaction that also clears its outbox entries, so a
        # crash losing its commit loses nothing that the next run will not redo.
        settings = [("jit", "off"), ("work_mem", "128MB"), ("synchronous_commit", "off")]
        # A town's run executes prepared statements (stats.prepared): plan them once, not per town.
        settings += [("random_page_cost", "1.1"), ("plan_cache_mode", "force_generic_plan")] if narrow else []
        calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_advisory_xact_lock(%s), {calls}", [ADVISORY_LOCK_KEY, *(v for kv in settings for v in kv)]
            )
    else:
        RecomputeLock.objects.get_or_create(name="stats")
        RecomputeLock.objects.select_for_update().get(name="stats")
    yield


def _period(as_of):
    return as_of.replace(day=1)


def month_end(period):
    """The last day of ``period``'s month."""
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def months_between(first, last):
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return months


def _rebuild(as_of, town_ids, call_towns=None, calls_since=None):
    """``call_towns``: of ``town_ids``, those whose call figures may have changed (None: all);
    ``calls_since``: from which day's month they may have (None: any month of their window)."""
    period = _period(as_of)
    # Alerts before figures: the open-alert figures count them.
    rows = sync_alerts(as_of, town_ids)
    calls = town_ids if call_towns is None or town_ids is None else sorted(set(call_towns) & set(town_ids))
    if calls is None or calls:
        rows += call_figures.recompute(period, calls, since=calls_since)
    if town_ids is None:
        return rows + full_runs.rebuild_all(period, as_of)
    return rows + town_runs.rebuild_towns(period, as_of, town_ids)


def _rebuild_months(months):
    """Figures only, each month as at its last day: alerts describe the present, so a past month's
    run neither opens nor closes any. The year figures of cities and provinces: those of each year the
    months fall in."""
    rows = sum(full_runs.rebuild_all(month, month_end(month)) for month in months)
    return rows + call_figures.recompute_years({month.year for month in months})


def _rebuild_town_history(town_since, current):
    """Figures only of the past months each town changed in, as at each month's last day: per month,
    one town run of the towns changed by then. Only months already held are rebuilt; the others have
    no rows above a town to keep in step, and a backfill computes them whole."""
    first = min(town_since.values(), default=None)
    if first is None or first >= current:
        return 0
    rows = 0
    for month in held_months(first.replace(day=1), current):
        towns = sorted(town for town, since in town_since.items() if since <= month_end(month))
        rows += town_runs.rebuild_towns(month, month_end(month), towns)
    return rows


def held_months(first, before):
    """The months from ``first`` up to (not including) ``before`` that the statistics hold."""
    held = Figure.objects.filter(scope_kind=ScopeKind.PROVINCE, period__gte=first, period__lt=before)
    return sorted(set(held.values_list("period", flat=True)))


def _run(scope, as_of, town_ids, triggered_by, months=None, town_since=None, call_towns=None, calls_since=None):
    as_of = as_of or timezone.localdate()
    if town_ids is None:
        # A full run (nightly, backfill, by hand) closes the records of dead runs itself; towns' runs are
        # drained by the task that has just done so (stats.tasks.drain_pending_task).
        runs_reap()
    fields = ["rows_written", "outcome", "error", "finished_at"]
    with ExitStack() as claim:
        # The record becomes visible already claimed, so that no reaper can take it for a dead one.
        with transaction.atomic():
            run = RecomputeRun.objects.create(scope=scope, as_of=as_of, triggered_by=triggered_by)
            claim.enter_context(run_claimed(run))
        started = timezone.now()
        try:
            with transaction.atomic(), _recompute_lock(narrow=town_ids is not None):
                if months is not None:
                    run.rows_written = _rebuild_months(months)
                else:
                    run.rows_written = _rebuild(as_of, town_ids, call_towns, calls_since)
                    run.rows_written += _rebuild_town_history(town_since or {}, _period(as_of))
                    _clear_outbox(town_ids, started)
                # Recorded in the run's own transaction: one commit fewer, and never a success that did not commit.
                run.outcome, run.finished_at = RecomputeRun.Outcome.SUCCESS, timezone.now()
                run.save(update_fields=fields)
        except Exception as exc:
            run.outcome, run.error, run.finished_at = RecomputeRun.Outcome.FAILED, repr(exc), timezone.now()
            run.save(update_fields=fields)
            raise
    return run


def _clear_outbox(town_ids, started):
    # Only touches recorded before this run began are covered by it; later ones stay queued.
    pending = PendingRecompute.objects.filter(touched_at__lte=started)
    if town_ids is not None:
        pending = pending.filter(town_id__in=town_ids)
    else:
        # A full run rebuilds the current month only: towns with past months to redo stay queued.
        pending = pending.filter(Q(since__isnull=True) | Q(since__gte=_period(timezone.localdate())))
    pending.delete()


def recompute_all(as_of=None, *, triggered_by="manual", analyse=True):
    """Rebuild every summary row and alert of ``as_of``'s month; returns the RecomputeRun.

    ``analyse`` refreshes the summary tables' planner statistics afterwards (outside the run's
    transaction and lock; readers already see the new rows).
    """
    run = _run("all", as_of, None, triggered_by)
    if analyse:
        analyse_summaries()
    return run


def reform_start():
    """The first day of the earliest month a town of the ledger was in a pilot programme (None: none)."""
    joined = ProgrammeMembership.objects.aggregate(first=Min("joined_on"))["first"]
    return joined.replace(day=1) if joined else None


def recompute_history(first=None, last=None, *, triggered_by="backfill", today=None):
    """Figures of every month from ``first`` (default: the reform start) to ``last`` (default: this month).

    Months that have ended are computed as at their last day, figures only, in one run; the current
    month, when in range, by a full run as of ``today`` (figures and alerts). Returns the last run.
    """
    today = today or timezone.localdate()
    current = today.replace(day=1)
    first = (first or reform_start() or current).replace(day=1)
    last = (last or current).replace(day=1)
    past = [m for m in months_between(first, last) if m < current]
    run = None
    if past:
        scope = f"history:{past[0]:%Y-%m}..{past[-1]:%Y-%m}"
        run = _run(scope, month_end(past[-1]), None, triggered_by, months=past)
    if last >= current:
        run = recompute_all(today, triggered_by=triggered_by)
    return run


def recompute_nightly(*, today=None, triggered_by="nightly"):
    """The nightly run: close the month that ended if no run has yet, then rebuild the current month."""
    today = today or timezone.localdate()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    closed = RecomputeRun.objects.filter(
        scope__startswith="history:", outcome=RecomputeRun.Outcome.SUCCESS, as_of__gte=month_end(previous)
    )
    if not closed.exists():
        recompute_history(previous, previous, triggered_by=triggered_by, today=today)
    return recompute_all(today, triggered_by=triggered_by)


def analyse_summaries():
    """VACUUM ANALYZE the summary tables after a full rebuild, which deletes and rewrites most rows.

    Without the vacuum each nightly run leaves ~100,000 dead rows per table that autovacuum is slow to
    reclaim, and every later insert walks bloated indexes; fresh planner statistics keep per-town
    recomputes on indexes. (VACUUM cannot run inside a transaction, hence after the run.)
    """
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # The call figures too: a town's run finds its departments' rows by index only with statistics.
        models = (PowerFigure, TownPowerTotal, Figure, Alert, CallFigure, DepartmentYearCalls)
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")


def recompute_town(town_id, as_of=None, *, triggered_by="manual"):
    """Rebuild one town's rows, then its county, city, province and programme rows."""
    code = Town.objects.values_list("code", flat=True).get(pk=town_id)
    return _run(code, as_of, [town_id], triggered_by)


def recompute_towns(town_ids, as_of=None, *, triggered_by="manual", since=None, calls_changed=None, calls_since=None):
    """Rebuild several towns in one run (a drained burst of edits).

    ``since`` {town id: first day} also rebuilds the figures of the past months held from that day's
    month on, for the towns it names (an edit of past data). ``calls_changed`` names the towns whose
    call figures may have changed (None: all), and ``calls_since`` the first day from whose month
    they may have (None: any month of their window); the others' are left as they are.
    """
    town_ids = sorted(set(town_ids))
    if not town_ids:
        return None
    scope = "towns:" + ",".join(map(str, town_ids[:5])) + ("…" if len(town_ids) > 5 else "")
    town_since = {town: day for town, day in (since or {}).items() if day is not None and town in town_ids}
    return _run(
        scope[:40],
        as_of,
        town_ids,
        triggered_by,
        town_since=town_since,
        call_towns=calls_changed,
        calls_since=calls_since,
    )


def towns_reform_start(town_ids):
    """{town id: first day of the month it joined its first pilot programme} (the ledger's start when
    it joined none)."""
    joined = dict(
        ProgrammeMembership.objects.filter(town_id__in=town_ids)
        .values("town_id")
        .annotate(first=Min("joined_on"))
        .values_list("town_id", "first")
    )
    start = reform_start() if set(town_ids) - set(joined) else None
    return {town: (joined.get(town) or start) for town in town_ids}


def _earliest(*days):
    known = [day for day in days if day is not None]
    return min(known).replace(day=1) if known else None


def pending_mark(town_ids, since=None, calls_changed=True, calls_since=None):
    """Record in the outbox that these towns need a recompute; safe to call repeatedly.

    ``since`` {town id: first day changed, None: unknown} asks for the past months too, from that
    day's month (an unknown day: from the town's reform start); without it, the current month only.
    A town already waiting keeps the earliest month asked for, and its call figures stay asked for
    once any change asked for them (``calls_changed``), from the earliest month any asked for
    (``calls_since``, a day; None: every month of their window, which then stays asked for).
    """
    now = timezone.now()
    # A deleted town has nothing left to recompute; the nightly run drops its old rows.
    town_ids = set(Town.objects.filter(pk__in=town_ids).values_list("pk", flat=True))
    asked = dict.fromkeys(town_ids)
    if since is not None:
        unknown = [town for town in town_ids if since.get(town) is None]
        starts = towns_reform_start(unknown) if unknown else {}
        asked = {town: _earliest(since.get(town) or starts.get(town)) for town in town_ids}
    calls_since = calls_since.replace(day=1) if calls_changed and calls_since else None
    # Insert first, then merge into whatever row is there: a row another edit of the town inserted in
    # between is merged into too, where a look for waiting rows before the insert would have let this
    # edit's months go unasked.
    PendingRecompute.objects.bulk_create(
        [
            PendingRecompute(town_id=t, touched_at=now, since=asked[t], calls=calls_changed, calls_since=calls_since)
            for t in town_ids
        ],
        ignore_conflicts=True,
    )
    calls = {}
    if calls_changed:
        # Set, never cleared by a later edit of another kind (nor lost to a row another edit inserted
        # first): only the run that drains the town clears it, with the row. The month merges in the
        # same statement: this change's where none was asked for, else the earlier, and every month
        # once any change asked for every month.
        merged = calls_since
        if calls_since is not None:
            merged = Case(
                When(calls=False, then=Value(calls_since)),
                When(calls_since__isnull=True, then=None),
                default=Least(F("calls_since"), Value(calls_since)),
                output_field=PendingRecompute._meta.get_field("calls_since"),
            )
        calls = {"calls": True, "calls_since": merged}
    by_month = defaultdict(list)
    for town, month in asked.items():
        by_month[month].append(town)
    for month, towns in by_month.items():
        # The earlier month of the two; empty (the current month only) asks for nothing earlier.
        kept = F("since")
        earliest = kept if month is None else Case(When(since__lt=month, then=kept), default=Value(month))
        PendingRecompute.objects.filter(town_id__in=towns).update(touched_at=now, since=earliest, **calls)


def pending_drain(as_of=None, *, triggered_by="outbox"):
    """Recompute every town waiting in the outbox, in one run, with the past months each asks for."""
    rows = PendingRecompute.objects.values_list("town_id", "since", "calls", "calls_since")
    waiting = {town: (day, calls, calls_since) for town, day, calls, calls_since in rows}
    # One run for all: its call figures from the earliest month any town asks for (every month if any
    # town asks for every month).
    asked = [day for _day, calls, day in waiting.values() if calls]
    known = [day for day in asked if day is not None]
    return recompute_towns(
        list(waiting),
        as_of,
        triggered_by=triggered_by,
        since={town: day for town, (day, _calls, _calls_since) in waiting.items()},
        calls_changed=[town for town, (_day, calls, _calls_since) in waiting.items() if calls],
        calls_since=min(known) if known and len(known) == len(asked) else None,
    )


def recompute_request(*, user, town_code):
    """Queue a recompute of one town ``user`` may change, by the path every edit takes (the outbox).

    Returns ``{"town_code", "state", "run"}``: ``queued`` while the town waits in the outbox for the
    worker, ``done`` with the run when tasks run in-process. A town out of scope reads as unknown.
    """
    town = Town.objects.filter(code=town_code).first()
    if town is None or not can_edit(user, town):
        raise ValidationError({"town_code": [_("找不到该镇,或您无权修改。")]})
    requested = timezone.now()
    # The same signal a saved edit sends: mark the outbox, then ask the worker for a drain.
    town_touched.send(sender=None, town_ids={town.pk})
    if PendingRecompute.objects.filter(town=town).exists():
        return {"town_code": town.code, "state": "queued", "run": None}
    run = RecomputeRun.objects.filter(started_at__gte=requested).order_by("-started_at").first()
    return {"town_code": town.code, "state": "done", "run": run}
