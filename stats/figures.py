"""Set-based computation of the summary tables: one INSERT … SELECT per figure, then roll-ups.

Town rows are built from ORM querysets (so the derived state is exactly
``delegation.selectors.with_derived_state``) turned into SQL and inserted by the database; county,
city, province and programme rows are sums of the rows one level down. Nothing loops over ledger rows
in Python, and the same SQL runs on PostgreSQL and SQLite.
"""

from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import DerivedState, activity_window, with_derived_state
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


def _power_state_rows(as_of, town_ids):
    """Per town, type, mode and derived state: how many powers (the state is evaluated once per power)."""
    powers = with_derived_state(_only(DelegatedPower.objects.all(), "town_id", town_ids), as_of)
    return (
        powers.annotate(t=F("town_id"), ty=F("item__type_code"), md=F("mode"), s=F("derived_state"))
        .values("t", "ty", "md", "s")
        .annotate(n=Count("pk"), tc=ZERO, dc=ZERO)
        .order_by()
    )


def _power_case_sql(as_of, town_ids):
    """Per power: cases accepted in the 12-month window by the town and by the county department.

    Summed per power first (no joins over millions of rows), then labelled with the power's town,
    type and mode; the caller sums those per town, type and mode.
    """
    first, last = activity_window(as_of)
    cases = _only(MonthlyCaseCount.objects.filter(month__gte=first, month__lte=last), "power__town_id", town_ids)
    by = MonthlyCaseCount.HandledBy
    per_power = (
        cases.values("power_id")
        .annotate(
            tc=Coalesce(Sum("accepted", filter=Q(handled_by=by.TOWN)), 0),
            dc=Coalesce(Sum("accepted", filter=Q(handled_by=by.COUNTY_DEPARTMENT)), 0),
        )
        .order_by()
    )
    sql, params = per_power.query.sql_with_params()
    return (
        f"SELECT p.town_id AS t, i.type_code AS ty, p.mode AS md, '' AS s, 0 AS n, c.tc, c.dc FROM ({sql}) c "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"JOIN {_table(DelegatedPower)} p ON p.id = c.power_id JOIN {_table(PowerItem)} i ON i.id = p.item_id"
    ), params


def _state_sum(state):
    return f"SUM(CASE WHEN u.s = '{state}' THEN u.n ELSE 0 END)"


def insert_town_power_figures(period, as_of, town_ids=None):
    state_sql, state_params = _power_state_rows(as_of, town_ids).query.sql_with_params()
    case_sql, case_params = _power_case_sql(as_of, town_ids)
    sql, params = f"SELECT * FROM ({state_sql}) a UNION ALL {case_sql}", (*state_params, *case_params)  # noqa: S608 (composed from ORM SQL; values are parameters)
    running, unused = _state_sum(DerivedState.RUNNING), _state_sum(DerivedState.UNUSED)
    measures = [
        "SUM(u.n)",
        f"{running} + {unused}",
        running,
        unused,
        _state_sum(DerivedState.NOT_TAKEN_OVER),
        "SUM(u.tc)",
        "SUM(u.dc)",
    ]
    insert = (
        f"INSERT INTO {_table(PowerFigure)} (scope_kind, scope_id, period, region_id, town_id, power_type, mode, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"{', '.join(POWER_MEASURES)}) "
        f"SELECT %s, u.t, %s, w.county_id, u.t, u.ty, u.md, {', '.join(measures)} FROM ({sql}) u "
        f"JOIN {_table(Town)} w ON w.id = u.t{_in('w.id', town_ids)} GROUP BY u.t, w.county_id, u.ty, u.md"
    )
    return _execute(insert, (ScopeKind.TOWN, period, *params, *(town_ids or ())))


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


def insert_town_figures(period, as_of, town_ids=None):
    """One INSERT per source table: its grouped row feeds one figure per metric (a CTE read once)."""
    rows = 0
    columns = "scope_kind, scope_id, period, region_id, town_id, metric, key, value"
    for queryset, town, aggregates in _figure_sources(as_of):
        names = {f"m{i}": (metric, aggregate) for i, (metric, aggregate) in enumerate(aggregates.items())}
        grouped = (
            _only(queryset, f"{town}_id", town_ids)
            .annotate(t=F(f"{town}_id"), r=F(f"{town}__county_id"))
            .values("t", "r", "k")
            .annotate(**{name: aggregate for name, (_metric, aggregate) in names.items()})
            .order_by()
        )
        sql, params = grouped.query.sql_with_params()
        branches = " UNION ALL ".join(f"SELECT %s, u.t, %s, u.r, u.t, %s, u.k, u.{name} FROM u" for name in names)  # noqa: S608 (identifiers from model metadata; values are parameters)
        branch_params = [p for metric, _agg in names.values() for p in (ScopeKind.TOWN, period, metric)]
        rows += _execute(
            f"INSERT INTO {_table(Figure)} ({columns}) WITH u AS ({sql}) {branches}",
            (*params, *branch_params),
        )
    return rows


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
