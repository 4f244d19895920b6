"""Read paths of the statistics: scoped querysets and the rates derived from the stored sums."""

import datetime as dt
from bisect import bisect_left
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, connections
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from core.scoping import at_or_under, visible, visible_under
from core.sql import ranked_ends, share_sql
from reforms.models import Region, Town

from .measures import AVERAGES, POWER_MEASURES, SHARES, STRAND_METRICS
from .models import Alert, Figure, Metric, PowerFigure, RecomputeRun, ScopeKind, TownPowerTotal


def power_figure_list(*, user):
    return visible(user, PowerFigure)


def figure_list(*, user):
    return visible(user, Figure)


def alert_list(*, user):
    # By the regions in reach (``visible_under``), not by joining each alert's region to its parents:
    # the count of a province's open alerts then reads the index of open alerts per region.
    if user.is_authenticated and not user.is_system_admin and user.region_id is not None:
        alerts = visible_under(user, Alert, user.region_id)
    else:
        alerts = visible(user, Alert)
    return alerts.select_related("town", "region", "subject_type")


def recompute_run_list(*, user):
    """The recompute runs that rebuilt figures of ``user``'s region: full runs and runs of its towns.

    A run records its scope as text: ``all``, ``history:<first>..<last>`` for past months, a town's
    code, or ``towns:<id>,<id>…`` for a drained burst (the first five ids). Administrators see every run.
    """
    runs = RecomputeRun.objects.all()
    if user.is_system_admin:
        return runs
    towns = dict(visible(user, Town).values_list("pk", "code"))
    if not towns:
        return runs.none()
    drains = [
        pk
        for pk, scope in runs.filter(scope__startswith="towns:").values_list("pk", "scope")
        if any(int(i) in towns for i in scope.removeprefix("towns:").rstrip("…").split(",") if i.isdigit())
    ]
    everyone = Q(scope="all") | Q(scope__startswith="history:")
    return runs.filter(everyone | Q(scope__in=towns.values()) | Q(pk__in=drains))


def scope_code_visible(user, param, code):
    """Whether a ``region`` / ``county`` / ``town`` filter value names a scope ``user`` may read."""
    if param == "town":
        return towns_under(user).filter(code=code).exists()
    return regions_under(user).filter(code=code).exists()


def latest_period(queryset=None):
    queryset = PowerFigure.objects.all() if queryset is None else queryset
    return queryset.aggregate(p=Max("period"))["p"]


def percent_share(part, whole):
    """Percentage to one decimal rounded half up (四舍五入), or None when there is nothing to divide by:
    the one rule for the shares and rates of the dashboards, the exports, the API and the call figures."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ratio(part, whole, places):
    """``part`` ÷ ``whole`` to ``places`` (a Decimal exponent) rounded half up, or None when there is
    nothing to divide by."""
    return (Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP) if whole else None


def add_rates(values):
    """Add to ``values`` (sums of one scope, or of one town row) every rate whose sums it holds.

    The one place the rates are defined: the API's power summary, the dashboards and the town
    rankings all read them from here. None where there is nothing to divide by.
    """
    for name, (part, whole) in SHARES.items():
        if part in values and whole in values:
            values[name] = percent_share(values[part], values[whole])
    for name, (total, count, places) in AVERAGES.items():
        if total in values and count in values:
            values[name] = _ratio(values[total], values[count], places)
    return values


def power_totals(queryset):
    """Sums over power rows (e.g. one scope and period, all types and modes) plus the section-5 rates."""
    totals = {m: total or 0 for m, total in queryset.aggregate(**{m: Sum(m) for m in POWER_MEASURES}).items()}
    return add_rates(totals)


# Dashboards -----------------------------------------------------------------------------------------
# Each read below is one query over the summary tables, whatever the number of towns, so that a
# dashboard page issues a bounded number of queries at province scale.

LEVELS_ABOVE = {ScopeKind.COUNTY, ScopeKind.CITY, ScopeKind.PROVINCE}
CHILD_KIND = {ScopeKind.PROVINCE: ScopeKind.CITY, ScopeKind.CITY: ScopeKind.COUNTY, ScopeKind.COUNTY: ScopeKind.TOWN}
POWER_SUMS = {m: Sum(m) for m in POWER_MEASURES}


def regions_under(user):
    """Regions whose dashboards ``user`` may open: their own region and those under it (all for admins)."""
    if user.is_system_admin:
        return Region.objects.all()
    if not user.is_authenticated or user.region_id is None:
        return Region.objects.none()
    return Region.objects.filter(at_or_under("", user.region_id))


def towns_under(user):
    return visible(user, Town)


def dashboard_periods(user, kind, scope_id):
    """Computed months of one scope, newest first (``scope_history``)."""
    return sorted(scope_history(user, kind, scope_id), reverse=True)


def scope_history(user, kind, scope_id):
    """{month: {power measures, strand metrics}} of one scope at every month with figures of any strand,
    so that a town with no delegated powers still opens on its staffing, finance or call figures (a
    month with call figures alone reads as zeros): three queries (two for a programme).

    A page takes its months, its month's figures, the year before's and its trend from this one read
    (``history_figures``): each read of a scope's months plans every monthly partition of the tables.
    """
    from territory.selectors import call_figure_months

    history: dict[dt.date, dict] = {}
    powers = power_figure_list(user=user).filter(scope_kind=kind, scope_id=scope_id)
    for row in powers.values("period").annotate(**POWER_SUMS).order_by():
        history.setdefault(row.pop("period"), _empty_scope()).update({k: v or 0 for k, v in row.items()})
    # Every metric, not only the strands': a month computed for any of them is a computed month.
    figures = figure_list(user=user).filter(scope_kind=kind, scope_id=scope_id)
    for period, metric, value in figures.values_list("period", "metric").annotate(v=Sum("value")).order_by():
        values = history.setdefault(period, _empty_scope())
        if metric in STRAND_METRICS:
            values[metric] = value or Decimal(0)
    if kind != ScopeKind.PROGRAMME:
        town = scope_id if kind == ScopeKind.TOWN else None
        sql, params = call_figure_months(user=user, town_id=town, region_id=scope_id)
        with connections[powers.db].cursor() as cursor:
            cursor.execute(sql, params)
            # A raw SELECT on SQLite returns dates as text.
            for (period,) in cursor.fetchall():
                month = period if isinstance(period, dt.date) else dt.date.fromisoformat(period)
                history.setdefault(month, _empty_scope())
    return dict(sorted(history.items()))


def history_figures(user, kind, scope_id, history, alerts=None):
    """{month: figures with rates} of a ``scope_history``, oldest first, with a region's open alerts that
    have no town (``region_alert_counts``; ``alerts`` from ``region_alerts`` of these months or more)."""
    rows = {period: dict(values) for period, values in history.items()}
    for (_sid, period), n in region_alert_counts(user, kind, [scope_id], list(rows), alerts).items():
        rows[period][Metric.OPEN_ALERTS] += n
    return {period: add_rates(values) for period, values in rows.items()}


def _empty_scope():
    return {**dict.fromkeys(POWER_MEASURES, 0), **{m: Decimal(0) for m in STRAND_METRICS}}


def month_end(period):
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def region_alerts(user, periods):
    """The alerts with no town (a scheme's, for one) open at some month's end of ``periods``, as
    (region and the two regions above it, start date, closing date or None): one query.

    Town alerts are in the figures already; these belong to a county or city, not to a town row, so
    they are added to a region's count for it to equal the alerts board's. A page that counts them
    for several scopes or months reads them once for all (``region_alert_counts(alerts=…)``).
    """
    if not periods:
        return []
    first_end, last_end = month_end(min(periods)), month_end(max(periods))
    rows = (
        visible(user, Alert)
        .filter(town__isnull=True, since__lte=last_end)
        .filter(Q(is_open=True) | Q(closed_at__date__gt=first_end))
        .values_list("region_id", "region__parent_id", "region__parent__parent_id", "since", "closed_at")
        .order_by()
    )
    return [
        ((region, parent, grandparent), since, timezone.localdate(closed_at) if closed_at else None)
        for region, parent, grandparent, since, closed_at in rows
    ]


def region_alert_counts(user, kind, scope_ids, periods, alerts=None):
    """{(scope_id, period): n} of the alerts with no town at or under each region, open at each
    month's end; ``alerts`` is ``region_alerts`` of these months or more, else they are read here."""
    if kind not in LEVELS_ABOVE or not periods:
        return {}
    if alerts is None:
        alerts = region_alerts(user, periods)
    ids = set(scope_ids)
    ordered = sorted(periods)
    ends = [month_end(p) for p in ordered]
    # An alert is open at every month's end from the first on or after its start to the last before it
    # closed: a run of consecutive months, found by bisection and summed as a difference array, so that
    # the work grows with alerts + months, not alerts × months.
    steps: dict[int, list[int]] = {}
    for regions, since, closed_on in alerts:
        first = bisect_left(ends, since)
        stop = bisect_left(ends, closed_on) if closed_on else len(ends)
        if first >= stop:
            continue
        for sid in ids.intersection(regions):
            step = steps.setdefault(sid, [0] * (len(ends) + 1))
            step[first] += 1
            step[stop] -= 1
    counts: dict[tuple[int, dt.date], int] = {}
    for sid, step in steps.items():
        open_now = 0
        for period, change in zip(ordered, step, strict=False):
            open_now += change
            if open_now:
                counts[sid, period] = open_now
    return counts


def scope_figures(user, kind, scope_ids, period, alerts=None):
    """{scope_id: {power measures, strand metrics, derived rates}} for many scopes of one kind: three
    queries (two with ``alerts``, see ``region_alert_counts``)."""
    return scope_figures_at(user, kind, scope_ids, [period], alerts)[period]


def scope_figures_at(user, kind, scope_ids, periods, alerts=None):
    """{period: {scope_id: figures}} for many scopes and a few months (e.g. a month and a year before):
    three queries, whatever the number of months (two with ``alerts``)."""
    ids = list(scope_ids)
    result = {p: {sid: _empty_scope() for sid in ids} for p in periods}
    for (sid, period), n in region_alert_counts(user, kind, ids, periods, alerts).items():
        result[period][sid][Metric.OPEN_ALERTS] += n
    powers = power_figure_list(user=user).filter(scope_kind=kind, scope_id__in=ids, period__in=periods)
    for row in powers.values("period", "scope_id").annotate(**POWER_SUMS).order_by():
        result[row.pop("period")][row.pop("scope_id")].update({k: v or 0 for k, v in row.items()})
    figures = figure_list(user=user).filter(
        scope_kind=kind, scope_id__in=ids, period__in=periods, metric__in=STRAND_METRICS
    )
    for period, sid, metric, value in (
        figures.values_list("period", "scope_id", "metric").annotate(v=Sum("value")).order_by()
    ):
        result[period][sid][metric] += value or Decimal(0)
    for by_scope in result.values():
        for values in by_scope.values():
            add_rates(values)
    return result


def child_scope_figures(user, kind, scope_id, period, alerts=None):
    """The figures of every child scope (cities of a province, counties of a city, towns of a county)."""
    child = CHILD_KIND[kind]
    if child == ScopeKind.TOWN:
        ids = towns_under(user).filter(county_id=scope_id).values_list("pk", flat=True)
    else:
        ids = regions_under(user).filter(parent_id=scope_id).values_list("pk", flat=True)
    return child, scope_figures(user, child, ids, period, alerts)


def power_split(user, kind, scope_id, period):
    """[{power_type, mode, power measures}] of one scope and month: one query."""
    rows = power_figure_list(user=user).filter(scope_kind=kind, scope_id=scope_id, period=period)
    return list(rows.values("power_type", "mode").annotate(**POWER_SUMS).order_by("power_type", "mode"))


def split_by(rows, dimension):
    """[(value of ``dimension``, summed measures with rates)] of ``power_split`` rows, in code order."""
    totals: dict[str, dict] = {}
    for row in rows:
        into = totals.setdefault(row[dimension], dict.fromkeys(POWER_MEASURES, 0))
        for measure in POWER_MEASURES:
            into[measure] += row[measure] or 0
    return [(key, add_rates(values)) for key, values in sorted(totals.items())]


RANKING_LIMIT = 10


def town_ranking(user, region_id, period, *, limit=RANKING_LIMIT):
    """(best, worst, town count): towns under a region by running rate (running ÷ taken over).

    One query over the towns' stored totals (``TownPowerTotal``, one small row per town, read from
    its covering index), ranked and cut to its ends in the database, with the names of the ranked
    towns joined after the cut.
    """
    totals = (
        visible_under(user, TownPowerTotal, region_id)
        .filter(period=period)
        .values("town_id", "delegated", "taken_over", "running")
        .order_by()
    )
    q = connection.ops.quote_name
    taken = f"{q('taken_over')} > 0"
    order = f"CASE WHEN {taken} THEN {share_sql(q('running'), q('taken_over'))} END DESC, {q('town_id')}"
    names = Town.objects.values(
        label_key=F("pk"), town__name=F("name"), town__code=F("code"), town__county__name=F("county__name")
    )
    ranked, _count, town_count, _totals = ranked_ends(totals, order, limit, ranked_if=taken, labels=("town_id", names))
    best, worst = ranked[:limit], ranked[::-1][:limit]
    for row in ranked:
        add_rates(row)
    return best, worst, town_count


def open_alert_list(user):
    return alert_list(user=user).filter(is_open=True)


def oldest_open_alerts(user, limit):
    """The ``limit`` alerts open longest, for the home page: by start date, the newest first among those
    of one date. That is the list index (``alert_list_order``: open, date descending, id) walked
    backwards, so the page reads as many alerts as it shows; a full run opens most alerts on one date,
    and ordering those by ascending id read and sorted every open alert of a province."""
    return open_alert_list(user).order_by("since", "-pk")[:limit]


def alert_counts(queryset, today):
    """Open alerts by rule, by county and by age (under 30 days, 30–90, 90–365, over a year): three queries."""
    by_rule = dict(queryset.values_list("rule").annotate(n=Count("pk")).order_by())
    by_region = list(
        queryset.values("region__code", "region__name").annotate(n=Count("pk")).order_by("-n", "region__code")
    )
    bounds = [today - dt.timedelta(days=d) for d in (30, 90, 365)]
    ages = queryset.aggregate(
        a=Count("pk", filter=Q(since__gt=bounds[0])),
        b=Count("pk", filter=Q(since__lte=bounds[0], since__gt=bounds[1])),
        c=Count("pk", filter=Q(since__lte=bounds[1], since__gt=bounds[2])),
        d=Count("pk", filter=Q(since__lte=bounds[2])),
    )
    return by_rule, by_region, ages


def compare_periods(user, kind, scope_ids):
    """Months computed for the compared scopes, newest first: of the power rows or the other figures,
    so that towns with no delegated powers can be compared too. One query."""
    powers = power_figure_list(user=user).filter(scope_kind=kind, scope_id__in=scope_ids)
    others = figure_list(user=user).filter(scope_kind=kind, scope_id__in=scope_ids)
    months = [rows.values_list("period", flat=True).order_by() for rows in (powers, others)]
    return list(months[0].union(months[1]).order_by("-period"))
