"""Set-based computation of the summary tables: one statement per figure source, then roll-ups.

Town power rows come from one SQL pass over powers and their case sums (the derived state of
``delegation.selectors.with_derived_state``, see ``power_figures_select``); the other town rows from
ORM querysets turned into SQL; county, city, province and programme rows are sums of the rows one
level down. Nothing loops over ledger rows in Python, and the same SQL runs on PostgreSQL and SQLite.

Two write paths use these statements: the nightly full run (``stats.full_runs``) and a town's run
after an edit (``stats.town_runs``).
"""

from types import FunctionType

from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Q, Value

from core.sql import Condition
from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from delegation.selectors import activity_window, derived_state_conditions, in_force_sql, untrained_q
from finance.models import FiscalArrangement, FiscalYearRecord
from reforms.models import AssessmentScore, ProgrammeMembership, ReformTask, Region, Town
from staffing.models import FilledPosts, HeadcountQuota, PostType
from staffing.selectors import latest_headcount

from .measures import METRICS, MONEY, POWER, POWER_MEASURES, STORED
from .models import Alert, Figure, PowerFigure, ScopeKind, TownPowerTotal
from .sql import in_ids, only_towns, run_sql, table_name

# Town rows ----------------------------------------------------------------------------------------


def power_case_sums_sql(first, last, town_ids):
    """Per power: cases accepted in the window by the town (``tc``) and by the county department (``dc``).

    Summed per power first (one hash aggregate, no join over millions of rows); for a few towns only
    their powers' rows are read, through the (power, month, handled_by) index.
    """
    cases, by = table_name(MonthlyCaseCount), MonthlyCaseCount.HandledBy
    powers = f"SELECT id FROM {table_name(DelegatedPower)} WHERE TRUE{in_ids('town_id', town_ids)}"  # noqa: S608 (identifiers from model metadata; values are parameters)
    only = "" if town_ids is None else f" AND c.power_id IN ({powers})"
    sql = (
        f"SELECT c.power_id, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"COALESCE(SUM(c.accepted) FILTER (WHERE c.handled_by = '{by.TOWN}'), 0) AS tc, "
        f"COALESCE(SUM(c.accepted) FILTER (WHERE c.handled_by = '{by.COUNTY_DEPARTMENT}'), 0) AS dc "
        f"FROM {cases} c WHERE c.month BETWEEN %s AND %s{only} GROUP BY c.power_id"
    )
    return sql, [first, last, *(town_ids or ())]


def power_measures_sql(taken, state, tc, dc):
    """{measure: SQL aggregate} of the power measures over powers ``p``, by name (``POWER_MEASURES``),
    each from its declaration in ``stats.measures``."""
    conditions = {"taken": taken.sql, "tc": tc, "dc": dc, **{str(k): v for k, v in state.items()}}
    return {f.code: f.sql(conditions) for f in STORED if f.table == POWER}


def power_figures_select(as_of, town_ids=None):
    """Per town, type and mode: the power measures (named as in ``POWER_MEASURES``), in one pass over
    powers and case sums.

    Only the powers in force at ``as_of`` count (delegated by then), and a power counts as taken over
    from its take-over date. The derived state is ``delegation.selectors.derived_state_conditions``,
    given the SQL of "taken over" and of "a town case accepted in the window". Counts are never
    negative, so "some month with accepted > 0" is "the window's town sum > 0", which lets one
    aggregate give both the state and the case sums.
    """
    sums, params = power_case_sums_sql(*activity_window(as_of), town_ids)
    tc, dc = "COALESCE(c.tc, 0)", "COALESCE(c.dc, 0)"
    # A date literal rather than a parameter: it appears in several aggregates ahead of the parameters.
    day = f"'{as_of:%Y-%m-%d}'"
    taken = Condition(
        f"p.take_over_status = '{DelegatedPower.TakeOverStatus.TAKEN_OVER}' "
        f"AND (p.take_over_on IS NULL OR p.take_over_on <= {day})"
    )
    state = {k: c.sql for k, c in derived_state_conditions(taken, Condition(f"{tc} > 0")).items()}
    measures = ", ".join(f"{sql} AS {name}" for name, sql in power_measures_sql(taken, state, tc, dc).items())
    in_force = in_force_sql(as_of)  # a figure at a period counts the powers in force then
    sql = (
        f"SELECT p.town_id AS t, t.county_id AS r, i.type_code AS ty, p.mode AS md, {measures} "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"FROM {table_name(DelegatedPower)} p JOIN {table_name(PowerItem)} i ON i.id = p.item_id "
        f"JOIN {table_name(Town)} t ON t.id = p.town_id LEFT JOIN ({sums}) c ON c.power_id = p.id"
        f" WHERE {in_force.sql}{in_ids('p.town_id', town_ids)} "
        f"GROUP BY p.town_id, t.county_id, i.type_code, p.mode"
    )
    return sql, [*params, *in_force.params, *(town_ids or ())]


_POWER_COLUMNS = [
    "scope_kind", "scope_id", "period", "region_id", "town_id", "power_type", "mode", *POWER_MEASURES, "towns",
]  # fmt: skip


def power_rows_select(period, as_of, town_ids, typed=False):
    """The town power rows (``_POWER_COLUMNS``, each town counting once); ``typed`` casts every column
    to the summary table's type, for a table created from the SELECT."""
    sql, params = power_figures_select(as_of, town_ids)
    values = ["%s", "u.t", "%s", "u.r", "u.t", "u.ty", "u.md", *(f"u.{m}" for m in POWER_MEASURES), "1"]
    if typed:
        types = [PowerFigure._meta.get_field(c).db_type(connection) for c in _POWER_COLUMNS]
        values = [f"CAST({v} AS {t})" for v, t in zip(values, types, strict=True)]
    select = ", ".join(f"{v} AS {c}" for v, c in zip(values, _POWER_COLUMNS, strict=True))
    return f"SELECT {select} FROM ({sql}) u", [ScopeKind.TOWN, period, *params]  # noqa: S608 (identifiers from model metadata; values are parameters)


def town_power_statement(period, as_of, town_ids, table=None):
    """The INSERT of the power rows of the towns ``town_ids`` (None: every town) into ``table``."""
    select, params = power_rows_select(period, as_of, town_ids)
    return f"INSERT INTO {table or table_name(PowerFigure)} ({', '.join(_POWER_COLUMNS)}) {select}", params


# The power measures a town's total keeps (``TownPowerTotal``): what the town ranking reads.
TOTALLED = ["delegated", "taken_over", "running"]


def town_totals_statements(period, town_ids=None):
    """The statements that make ``period``'s town totals (of ``town_ids``, or every town) the sums of
    their town power rows, writing only what differs: totals of towns left with no power rows are
    deleted, new or changed ones written. Run after the power rows are written."""
    totals, powers = table_name(TownPowerTotal), table_name(PowerFigure)
    ids = list(town_ids or ())
    delete = (
        f"DELETE FROM {totals} WHERE period = %s{in_ids('town_id', town_ids)} AND NOT EXISTS ("  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"SELECT 1 FROM {powers} f WHERE f.period = %s AND f.scope_kind = %s AND f.scope_id = {totals}.town_id)",
        [period, *ids, period, ScopeKind.TOWN],
    )
    changed = " OR ".join(f"{totals}.{c} <> excluded.{c}" for c in ["region_id", *TOTALLED])
    upsert = (
        f"INSERT INTO {totals} (period, town_id, region_id, {', '.join(TOTALLED)}) "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"SELECT period, scope_id, region_id, {', '.join(f'SUM({c})' for c in TOTALLED)} FROM {powers} "
        f"WHERE period = %s AND scope_kind = %s{in_ids('scope_id', town_ids)} GROUP BY period, scope_id, region_id "
        f"ON CONFLICT (period, town_id) DO UPDATE SET "
        f"{', '.join(f'{c} = excluded.{c}' for c in ['region_id', *TOTALLED])} WHERE {changed}",
        [period, ScopeKind.TOWN, *ids],
    )
    return [delete, upsert]


def composite():
    """Σ weight × score ÷ 100 of one score, exact to the decimal on every database.

    ``/ 100.0``: SQLite stores whole-number decimals as integers and would divide them as integers
    (86.7 read as 86); PostgreSQL divides numerics exactly either way.
    """
    weighted = F("scheme__county_weight") * F("county_score") + F("scheme__town_weight") * F("town_score")
    return Func(weighted, template="(%(expressions)s) / 100.0", output_field=MONEY)


def _open_at(as_of):
    """Alerts of towns open at ``as_of``: begun by then and not closed by then (today: the open ones)."""
    closed_later = Q(closed_at__isnull=False, closed_at__date__gt=as_of)
    return Alert.objects.filter(town__isnull=False, since__lte=as_of).filter(Q(is_open=True) | closed_later)


def _headcount(model, as_of, post_types):
    return latest_headcount(model, as_of).filter(post_type__in=post_types).annotate(k=F("post_type"))


POSTS = [PostType.ADMINISTRATIVE, PostType.INSTITUTIONAL]


def _source_querysets(as_of):
    """{source: (queryset with a ``k`` key, town path)}: the rows each declared figure aggregates per town.

    A town path of "" means the queryset is of towns themselves.
    """
    year = as_of.year
    scores = AssessmentScore.objects.filter(year__lte=year)
    fiscal = FiscalYearRecord.objects.filter(year__lte=year, arrangement__unit=FiscalArrangement.Unit.YUAN)
    # Which programmes the town is counted in on ``as_of``: the programme rows sum these towns.
    untrained = DelegatedPower.objects.filter(untrained_q(as_of))
    members = ProgrammeMembership.objects.filter(joined_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=as_of)
    )
    return {
        "posts": (_headcount(HeadcountQuota, as_of, POSTS), "town"),
        "leadership": (_headcount(HeadcountQuota, as_of, [PostType.LEADERSHIP]), "town"),
        "headcount_control": (_headcount(HeadcountQuota, as_of, [PostType.HEADCOUNT_CONTROL]), "town"),
        "filled": (_headcount(FilledPosts, as_of, POSTS), "town"),
        "scores": (scores.annotate(k=F("year")), "town"),
        "unscored": (Town.objects.exclude(Exists(scores.filter(town=OuterRef("pk")))).annotate(k=Value("")), ""),
        "fiscal": (fiscal.annotate(k=F("arrangement__kind")), "arrangement__town"),
        "tasks": (ReformTask.objects.annotate(k=Value("")), "plan__town"),
        "open_alerts": (_open_at(as_of).annotate(k=F("rule")), "town"),
        "members": (members.annotate(k=F("programme_id")), "town"),
        "untrained": (untrained.annotate(k=Value("")), "town"),
        # A town none of whose powers is untrained has a row of 0, as the API reads it, not no row.
        "trained": (Town.objects.exclude(Exists(untrained.filter(town=OuterRef("pk")))).annotate(k=Value("")), ""),
    }


def figure_sources(as_of):
    """(queryset with a ``k`` key, town path, {metric: aggregate}) for every source of non-power figures,
    the aggregates as ``stats.measures`` declares them."""
    querysets, aggregates = _source_querysets(as_of), {}
    for figure in METRICS:
        for source, aggregate in figure.per_town.items():
            value = aggregate(as_of) if isinstance(aggregate, FunctionType) else aggregate
            aggregates.setdefault(source, {})[figure.code] = value
    return [(*querysets[source], by_metric) for source, by_metric in aggregates.items()]


def _text(column):
    # The sources' keys are years (integers) or codes; UNION ALL needs one type.
    return f"CAST({column} AS VARCHAR(40))"


def town_figure_selects(as_of, town_ids=None):
    """[(metrics, sql, params)]: per figure source, the SELECT of its town rows grouped by town (``t``),
    county (``r``) and key (``k``), one column per metric, named ``m0``, ``m1`` … in ``metrics``' order."""
    selects = []
    for queryset, town, aggregates in figure_sources(as_of):
        names = {f"m{i}": aggregate for i, aggregate in enumerate(aggregates.values())}
        town_id, county_id = (f"{town}_id", f"{town}__county_id") if town else ("id", "county_id")
        grouped = (
            only_towns(queryset, town_id, town_ids)
            .annotate(t=F(town_id), r=F(county_id))
            .values("t", "r", "k")
            .annotate(**names)
            .order_by()
        )
        selects.append((list(aggregates), *grouped.query.sql_with_params()))
    return selects


def _town_figures_insert(period, as_of, town_ids, table=None):
    """The INSERT for every source table: each grouped source (a CTE read once) feeds one figure per metric."""
    columns = "scope_kind, scope_id, period, region_id, town_id, metric, key, value, towns"
    ctes, branches, cte_params, branch_params = [], [], [], []
    for n, (metrics, sql, params) in enumerate(town_figure_selects(as_of, town_ids)):
        ctes.append(f"u{n} AS ({sql})")
        cte_params += params
        row = f"SELECT %s, u.t, %s, u.r, u.t, %s, {_text('u.k')}, u.m{{}}, 1 FROM u{n} u"  # noqa: S608 (identifiers from model metadata; values are parameters)
        branches += [row.format(i) for i in range(len(metrics))]
        branch_params += [p for metric in metrics for p in (ScopeKind.TOWN, period, metric)]
    sql = f"INSERT INTO {table or table_name(Figure)} ({columns}) WITH {', '.join(ctes)} {' UNION ALL '.join(branches)}"
    return sql, [*cte_params, *branch_params]


# Compiled statements by key and number of towns (see ``compiled``).
_COMPILED = {}
_SENTINEL = -(10**15)


def compiled(key, build, town_ids):
    """``build(ids)``'s (sql, params) for the towns ``town_ids``, compiled once per ``key`` and number of
    towns: Django compiling a few nested querysets costs more than running them for one town.

    Town ids are compiled as negative sentinels (never a real id) and substituted on each use; ``key``
    must hold everything else ``build`` depends on (the month, the date).
    """
    key = (*key, len(town_ids))
    if key not in _COMPILED:
        # Room for every month of a long history: an edit of past data runs a town's statement per month.
        if len(_COMPILED) > 1024:
            _COMPILED.clear()
        sentinels = [_SENTINEL - i for i in range(len(town_ids))]
        _COMPILED[key] = (*build(sentinels), sentinels)
    sql, params, sentinels = _COMPILED[key]
    ids = dict(zip(sentinels, town_ids, strict=True))
    # type() is int: a bool is never a sentinel, and a sentinel is always an int.
    return sql, [ids.get(p, p) if type(p) is int else p for p in params]


def town_figures_statement(period, as_of, town_ids=None, table=None):
    """The INSERT of the town rows of every non-power figure (of ``town_ids``, or every town), into
    ``table`` (a quoted name; the figures table by default)."""
    if town_ids is None:
        return _town_figures_insert(period, as_of, None, table)
    return compiled(
        ("figures", period, as_of, table), lambda ids: _town_figures_insert(period, as_of, ids, table), town_ids
    )


# Roll-ups -----------------------------------------------------------------------------------------

# How each level is summed from the level below: (kind, source kind, scope id expression, joins).
_REGION = table_name(Region)
LEVELS = [
    (ScopeKind.COUNTY, ScopeKind.TOWN, "f.region_id", ""),
    (ScopeKind.CITY, ScopeKind.COUNTY, "g.parent_id", f"JOIN {_REGION} g ON g.id = f.scope_id"),
    (ScopeKind.PROVINCE, ScopeKind.CITY, "g.parent_id", f"JOIN {_REGION} g ON g.id = f.scope_id"),
]


def _towns(source):
    # Town rows are counted rather than their ``towns`` summed, so that a re-sum also repairs rows
    # written before counts were kept (0).
    return "COUNT(*)" if source == ScopeKind.TOWN else "SUM(f.towns)"


def _roll_up(table, dimensions, measures, kind, source, scope_expr, joins, period, scope_ids):
    """The INSERT … SELECT of one level's rows (of ``scope_ids``, or all) summed from the level below."""
    where = "" if scope_ids is None else f" AND {scope_expr} IN ({', '.join(['%s'] * len(scope_ids))})"
    cols = ", ".join(dimensions)
    sums = ", ".join([*(f"SUM(f.{m})" for m in measures), _towns(source)])
    sql = (
        f"INSERT INTO {table} (scope_kind, scope_id, period, region_id, town_id, {cols}, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"{', '.join(measures)}, towns) "
        f"SELECT %s, {scope_expr}, f.period, {scope_expr}, NULL, {', '.join('f.' + d for d in dimensions)}, {sums} "
        f"FROM {table} f {joins} WHERE f.scope_kind = %s AND f.period = %s{where} "
        f"GROUP BY {scope_expr}, f.period, {', '.join('f.' + d for d in dimensions)}"
    )
    return sql, [kind, source, period, *(scope_ids or ())]


def _roll_up_programmes(table, dimensions, measures, period, as_of, programme_ids):
    """Programme rows: sums over the towns that were members of the programme on ``as_of``."""
    members = table_name(ProgrammeMembership)
    programmes = connection.ops.quote_name("reforms_pilotprogramme")
    where = "" if programme_ids is None else f" AND m.programme_id IN ({', '.join(['%s'] * len(programme_ids))})"
    dims = ", ".join("f." + d for d in dimensions)
    sums = ", ".join([*(f"SUM(f.{m})" for m in measures), _towns(ScopeKind.TOWN)])
    sql = (
        f"INSERT INTO {table} (scope_kind, scope_id, period, region_id, town_id, {', '.join(dimensions)}, "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"{', '.join(measures)}, towns) "
        f"SELECT %s, m.programme_id, f.period, p.region_id, NULL, {dims}, {sums} FROM {table} f "
        f"JOIN {members} m ON m.town_id = f.scope_id JOIN {programmes} p ON p.id = m.programme_id "
        f"WHERE f.scope_kind = %s AND f.period = %s AND m.joined_on <= %s "
        f"AND (m.left_on IS NULL OR m.left_on >= %s){where} "
        f"GROUP BY m.programme_id, p.region_id, f.period, {dims}"
    )
    return sql, [ScopeKind.PROGRAMME, ScopeKind.TOWN, period, as_of, as_of, *(programme_ids or ())]


TABLES = [
    (PowerFigure, ["power_type", "mode"], POWER_MEASURES),
    (Figure, ["metric", "key"], ["value"]),
]


def roll_up_statements(period, as_of, scopes=None, tables=None):
    """The INSERTs of the rows above town level, lowest level first; ``scopes`` limits each level to
    {kind: [ids]} (None: all); ``tables`` {model: quoted name} reads and writes other tables than the
    models' own (the full run's staging tables)."""
    statements = []
    for model, dimensions, measures in TABLES:
        table = (tables or {}).get(model) or table_name(model)
        for kind, source, expr, joins in LEVELS:
            ids = None if scopes is None else scopes[kind]
            statements.append(_roll_up(table, dimensions, measures, kind, source, expr, joins, period, ids))
        ids = None if scopes is None else scopes[ScopeKind.PROGRAMME]
        if ids is None or ids:
            statements.append(_roll_up_programmes(table, dimensions, measures, period, as_of, ids))
    return statements


def roll_up(period, as_of, scopes=None, tables=None):
    """Build the rows above town level (see ``roll_up_statements``); returns the rows written."""
    return sum(run_sql(sql, params) for sql, params in roll_up_statements(period, as_of, scopes, tables))


def scope_where(period, scopes):
    """WHERE clause and parameters selecting the rows of ``period`` in ``scopes`` (None: all)."""
    where, params = "period = %s", [period]
    if scopes is not None:
        parts = [f"(scope_kind = %s{in_ids('scope_id', ids)})" for ids in scopes.values() if ids]
        where += f" AND ({' OR '.join(parts) or 'FALSE'})"
        params += [p for kind, ids in scopes.items() if ids for p in (kind, *ids)]
    return where, params


def delete_statements(period, scopes=None):
    """The DELETEs of the rows that a recompute is about to rebuild."""
    where, params = scope_where(period, scopes)
    return [(f"DELETE FROM {table_name(model)} WHERE {where}", params) for model, _dims, _measures in TABLES]  # noqa: S608 (identifiers from model metadata; values are parameters)
