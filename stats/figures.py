"""Set-based computation of the summary tables: one INSERT … SELECT per figure, then roll-ups.

Town power rows come from one SQL pass over powers and their case sums (the derived state of
``delegation.selectors.with_derived_state``, see ``power_figures_select``); the other town rows from
ORM querysets turned into SQL; the database inserts them all; county,
city, province and programme rows are sums of the rows one level down. Nothing loops over ledger rows
in Python, and the same SQL runs on PostgreSQL and SQLite.
"""

import csv
import io

from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window
from finance.models import FiscalArrangement, FiscalYearRecord
from reforms.models import AssessmentScore, ProgrammeMembership, ReformTask, Region, Town
from staffing.models import FilledPosts, HeadcountQuota

from .models import Alert, Figure, Metric, PowerFigure, ScopeKind

POWER_MEASURES = [
    "delegated",
    "taken_over",
    "running",
    "unused",
    "not_taken_over",
    "town_cases",
    "department_cases",
]
ZERO = Value(0)
MONEY = DecimalField(max_digits=20, decimal_places=2)


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _only(queryset, path, town_ids):
    return queryset if town_ids is None else queryset.filter(**{f"{path}__in": town_ids})


# Town rows ----------------------------------------------------------------------------------------


def power_case_sums_sql(first, last, town_ids):
    """Per power: cases accepted in the window by the town (``tc``) and by the county department (``dc``).

    Summed per power first (one hash aggregate, no join over millions of rows); for a few towns only
    their powers' rows are read, through the (power, month, handled_by) index.
    """
    cases, by = _table(MonthlyCaseCount), MonthlyCaseCount.HandledBy
    powers = f"SELECT id FROM {_table(DelegatedPower)} WHERE TRUE{_in('town_id', town_ids)}"  # noqa: S608 (identifiers from model metadata; values are parameters)
    only = "" if town_ids is None else f" AND c.power_id IN ({powers})"
    sql = (
        f"LEFT JOIN (SELECT c.power_id, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"COALESCE(SUM(c.accepted) FILTER (WHERE c.handled_by = '{by.TOWN}'), 0) AS tc, "
        f"COALESCE(SUM(c.accepted) FILTER (WHERE c.handled_by = '{by.COUNTY_DEPARTMENT}'), 0) AS dc "
        f"FROM {cases} c WHERE c.month BETWEEN %s AND %s{only} GROUP BY c.power_id) c ON c.power_id = p.id"
    )
    return sql, [first, last, *(town_ids or ())]


def power_figures_select(as_of, town_ids=None):
    """Per town, type and mode: the seven power measures, in one pass over powers and case sums.

    The derived state is ``delegation.selectors.with_derived_state``'s: running when taken over with a
    town case accepted in the window. Counts are never negative, so "some month with accepted > 0" is
    "the window's town sum > 0", which lets one aggregate give both the state and the case sums.
    """
    first, last = activity_window(as_of)
    join, params = power_case_sums_sql(first, last, town_ids)
    taken = f"p.take_over_status = '{DelegatedPower.TakeOverStatus.TAKEN_OVER}'"
    tc, dc = "COALESCE(c.tc, 0)", "COALESCE(c.dc, 0)"
    sql = (
        f"SELECT p.town_id AS t, t.county_id AS r, i.type_code AS ty, p.mode AS md, COUNT(*) AS n1, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"COUNT(*) FILTER (WHERE {taken}) AS n2, "
        f"COUNT(*) FILTER (WHERE {taken} AND {tc} > 0) AS n3, COUNT(*) FILTER (WHERE {taken} AND {tc} = 0) AS n4, "
        f"COUNT(*) FILTER (WHERE NOT {taken}) AS n5, COALESCE(SUM({tc}), 0) AS n6, COALESCE(SUM({dc}), 0) AS n7 "
        f"FROM {_table(DelegatedPower)} p JOIN {_table(PowerItem)} i ON i.id = p.item_id "
        f"JOIN {_table(Town)} t ON t.id = p.town_id {join}"
        f" WHERE TRUE{_in('p.town_id', town_ids)} "
        f"GROUP BY p.town_id, t.county_id, i.type_code, p.mode"
    )
    return sql, [*params, *(town_ids or ())]


def insert_town_power_figures(period, as_of, town_ids=None):
    sql, params = power_figures_select(as_of, town_ids)
    columns = ["scope_kind", "scope_id", "period", "region_id", "town_id", "power_type", "mode", *POWER_MEASURES]
    select = f"SELECT %s, u.t, %s, u.r, u.t, u.ty, u.md, u.n1, u.n2, u.n3, u.n4, u.n5, u.n6, u.n7 FROM ({sql}) u"  # noqa: S608 (identifiers from model metadata; values are parameters)
    params = (ScopeKind.TOWN, period, *params)
    if town_ids is None and connection.vendor == "postgresql":
        return _copy_selected(PowerFigure, columns, select, params)
    insert = f"INSERT INTO {_table(PowerFigure)} ({', '.join(columns)}) {select}"
    return _execute(insert, params)


def _copy_selected(model, columns, select, params):
    """SELECT then COPY the rows in: PostgreSQL plans INSERT … SELECT without parallel workers, a plain
    SELECT with them, and on the full run the case scan is most of the time."""
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(cursor.fetchall())
        buffer.seek(0)
        cursor.copy_expert(f"COPY {_table(model)} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
        return max(cursor.rowcount, 0)


def _in(column, ids):
    """`` AND column IN (%s, …)`` for a list of ids, nothing for None (all)."""
    return "" if ids is None else f" AND {column} IN ({', '.join(['%s'] * len(ids))})"


def _latest(model, date_field, as_of):
    """Rows of ``model`` that are the latest per (town, post type) on or before ``as_of``."""
    newer = model.objects.filter(
        town=OuterRef("town"),
        post_type=OuterRef("post_type"),
        **{f"{date_field}__lte": as_of, f"{date_field}__gt": OuterRef(date_field)},
    )
    return model.objects.filter(**{f"{date_field}__lte": as_of}).exclude(Exists(newer))


def _figure_sources(as_of):
    """(queryset with a ``k`` key, town path, {metric: aggregate}) for every source of non-power figures."""
    year = as_of.year
    scores = AssessmentScore.objects.filter(year__lte=year).annotate(k=F("year"))
    composite = (F("scheme__county_weight") * F("county_score") + F("scheme__town_weight") * F("town_score")) / 100
    fiscal = FiscalYearRecord.objects.filter(year__lte=year, arrangement__unit=FiscalArrangement.Unit.YUAN).annotate(
        k=F("arrangement__kind")
    )
    arrears = Case(When(promised__gt=F("paid"), then=F("promised") - F("paid")), default=Value(0), output_field=MONEY)
    tasks = ReformTask.objects.annotate(k=Value(""))
    overdue = Q(deadline__lt=as_of) & ~Q(status=ReformTask.Status.DONE)
    alerts = Alert.objects.filter(is_open=True, town__isnull=False).annotate(k=F("rule"))
    return [
        (_latest(HeadcountQuota, "effective_on", as_of).annotate(k=F("post_type")), "town", {
            Metric.APPROVED: Sum("approved"),
        }),
        (_latest(FilledPosts, "as_of", as_of).annotate(k=F("post_type")), "town", {Metric.FILLED: Sum("filled")}),
        (scores, "town", {
            Metric.SCORE_COUNT: Count("pk"),
            Metric.COMPOSITE_SUM: Sum(composite, output_field=MONEY),
            Metric.WEIGHT_COMPLIANT: Count("pk", filter=Q(scheme__town_weight__gte=F("scheme__min_town_weight"))),
        }),
        (fiscal, "arrangement__town", {
            Metric.FISCAL_DUE: Sum(Coalesce("amount_due", Value(0), output_field=MONEY)),
            Metric.FISCAL_PROMISED: Sum("promised"),
            Metric.FISCAL_PAID: Sum("paid"),
            Metric.FISCAL_ARREARS: Sum(arrears),
        }),
        (tasks, "plan__town", {
            Metric.TASKS: Count("pk"),
            Metric.TASKS_DONE: Count("pk", filter=Q(status=ReformTask.Status.DONE)),
            Metric.TASKS_OVERDUE: Count("pk", filter=overdue),
        }),
        (alerts, "town", {Metric.OPEN_ALERTS: Count("pk")}),
    ]  # fmt: skip


def _text(column):
    # The sources' keys are years (integers) or codes; UNION ALL needs one type.
    return f"CAST({column} AS VARCHAR(40))"


def _town_figures_insert(period, as_of, town_ids):
    """The INSERT for every source table: each grouped source (a CTE read once) feeds one figure per metric."""
    columns = "scope_kind, scope_id, period, region_id, town_id, metric, key, value"
    ctes, branches, cte_params, branch_params = [], [], [], []
    for n, (queryset, town, aggregates) in enumerate(_figure_sources(as_of)):
        names = {f"m{i}": (metric, aggregate) for i, (metric, aggregate) in enumerate(aggregates.items())}
        grouped = (
            _only(queryset, f"{town}_id", town_ids)
            .annotate(t=F(f"{town}_id"), r=F(f"{town}__county_id"))
            .values("t", "r", "k")
            .annotate(**{name: aggregate for name, (_metric, aggregate) in names.items()})
            .order_by()
        )
        sql, params = grouped.query.sql_with_params()
        ctes.append(f"u{n} AS ({sql})")
        cte_params += params
        branches += [f"SELECT %s, u.t, %s, u.r, u.t, %s, {_text('u.k')}, u.{name} FROM u{n} u" for name in names]  # noqa: S608 (identifiers from model metadata; values are parameters)
        branch_params += [p for metric, _agg in names.values() for p in (ScopeKind.TOWN, period, metric)]
    sql = f"INSERT INTO {_table(Figure)} ({columns}) WITH {', '.join(ctes)} {' UNION ALL '.join(branches)}"
    return sql, [*cte_params, *branch_params]


# Compiled town-figure INSERTs by (period, as_of, number of towns): compiling six ORM querysets costs
# more than running them for one town. Town ids are compiled as placeholders standing for negative
# sentinels (never a real id) and substituted on each use.
_COMPILED = {}
_SENTINEL = -(10**15)


def insert_town_figures(period, as_of, town_ids=None):
    if town_ids is None:
        return _execute(*_town_figures_insert(period, as_of, None))
    key = (period, as_of, len(town_ids))
    if key not in _COMPILED:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        sentinels = [_SENTINEL - i for i in range(len(town_ids))]
        _COMPILED[key] = (*_town_figures_insert(period, as_of, sentinels), sentinels)
    sql, params, sentinels = _COMPILED[key]
    ids = dict(zip(sentinels, town_ids, strict=True))
    # type() is int: a bool is never a sentinel, and a sentinel is always an int.
    return _execute(sql, [ids.get(p, p) if type(p) is int else p for p in params])


# Roll-ups -----------------------------------------------------------------------------------------

# How each level is summed from the level below: (kind, source kind, scope id expression, joins).
_REGION = _table(Region)
LEVELS = [
    (ScopeKind.COUNTY, ScopeKind.TOWN, "f.region_id", ""),
    (ScopeKind.CITY, ScopeKind.COUNTY, "g.parent_id", f"JOIN {_REGION} g ON g.id = f.scope_id"),
    (ScopeKind.PROVINCE, ScopeKind.CITY, "g.parent_id", f"JOIN {_REGION} g ON g.id = f.scope_id"),
]


def _roll_up(model, dimensions, measures, kind, source, scope_expr, joins, period, scope_ids):
    where = "" if scope_ids is None else f" AND {scope_expr} IN ({', '.join(['%s'] * len(scope_ids))})"
    cols = ", ".join(dimensions)
    sums = ", ".join(f"SUM(f.{m})" for m in measures)
    sql = (
        f"INSERT INTO {_table(model)} (scope_kind, scope_id, period, region_id, town_id, {cols}, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"{', '.join(measures)}) "
        f"SELECT %s, {scope_expr}, f.period, {scope_expr}, NULL, {', '.join('f.' + d for d in dimensions)}, {sums} "
        f"FROM {_table(model)} f {joins} WHERE f.scope_kind = %s AND f.period = %s{where} "
        f"GROUP BY {scope_expr}, f.period, {', '.join('f.' + d for d in dimensions)}"
    )
    return _execute(sql, (kind, source, period, *(scope_ids or ())))


def _roll_up_programmes(model, dimensions, measures, period, as_of, programme_ids):
    """Programme rows: sums over the towns that were members of the programme on ``as_of``."""
    members = _table(ProgrammeMembership)
    programmes = connection.ops.quote_name("reforms_pilotprogramme")
    where = "" if programme_ids is None else f" AND m.programme_id IN ({', '.join(['%s'] * len(programme_ids))})"
    dims = ", ".join("f." + d for d in dimensions)
    sums = ", ".join(f"SUM(f.{m})" for m in measures)
    sql = (
        f"INSERT INTO {_table(model)} (scope_kind, scope_id, period, region_id, town_id, {', '.join(dimensions)}, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"{', '.join(measures)}) "
        f"SELECT %s, m.programme_id, f.period, p.region_id, NULL, {dims}, {sums} FROM {_table(model)} f "
        f"JOIN {members} m ON m.town_id = f.scope_id JOIN {programmes} p ON p.id = m.programme_id "
        f"WHERE f.scope_kind = %s AND f.period = %s AND m.joined_on <= %s "
        f"AND (m.left_on IS NULL OR m.left_on >= %s){where} "
        f"GROUP BY m.programme_id, p.region_id, f.period, {dims}"
    )
    return _execute(sql, (ScopeKind.PROGRAMME, ScopeKind.TOWN, period, as_of, as_of, *(programme_ids or ())))


TABLES = [
    (PowerFigure, ["power_type", "mode"], POWER_MEASURES),
    (Figure, ["metric", "key"], ["value"]),
]


def roll_up(period, as_of, scopes=None):
    """Build the rows above town level; ``scopes`` limits each level to {kind: [ids]} (None: all)."""
    rows = 0
    for model, dimensions, measures in TABLES:
        for kind, source, expr, joins in LEVELS:
            ids = None if scopes is None else scopes[kind]
            rows += _roll_up(model, dimensions, measures, kind, source, expr, joins, period, ids)
        ids = None if scopes is None else scopes[ScopeKind.PROGRAMME]
        if ids is None or ids:
            rows += _roll_up_programmes(model, dimensions, measures, period, as_of, ids)
    return rows


def scopes_of_town(town_id, as_of):
    """The county, city, province and programmes above one town."""
    county = Town.objects.select_related("county__parent").get(pk=town_id).county
    programmes = ProgrammeMembership.objects.filter(town_id=town_id).values_list("programme_id", flat=True)
    return {
        ScopeKind.TOWN: [town_id],
        ScopeKind.COUNTY: [county.pk],
        ScopeKind.CITY: [county.parent_id],
        ScopeKind.PROVINCE: [county.parent.parent_id],
        ScopeKind.PROGRAMME: list(programmes),
    }


def delete_rows(period, scopes=None):
    """Remove the rows that a recompute is about to rebuild."""
    for model, _dims, _measures in TABLES:
        rows = model.objects.filter(period=period)
        if scopes is not None:
            q = Q(pk__in=[])
            for kind, ids in scopes.items():
                q |= Q(scope_kind=kind, scope_id__in=ids)
            rows = rows.filter(q)
        rows._raw_delete(rows.db)
