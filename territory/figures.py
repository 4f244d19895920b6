"""Call-and-respond figures: grouped aggregation over the calls, stored per month in ``CallFigure``.

``recompute`` runs inside the statistics engine's run (``stats.services``), nightly for every town and
after each edit for the towns touched. A call counts in the month it was raised; a month's figures
keep changing while its calls are answered, so every run rebuilds the twelve months up to the period.

On PostgreSQL the whole rebuild is one statement (``_statement``): the fresh rows of the three grains
by GROUPING SETS, with ``percentile_cont`` for the times, then only the difference written (stale rows
deleted, changed rows updated, new rows inserted), as the ledger figures are merged in
``stats.full_runs``. Building and comparing ~500,000 row objects in Python at province scale cost
several times the aggregate itself. SQLite, which has no percentile_cont, keeps the Python path: one
GROUP BY per grain, the times from the grouped values.
"""

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from stats import prepared
from stats.sql import in_ids

from .models import SUMMED, Call, CallFigure, DepartmentYearCalls, ResponsibilityItem

WINDOW_MONTHS = 12
State = Call.State
DONE = (State.CLOSED, State.EVALUATED)

# Grains: the columns a row is grouped by (the county always).
GRAINS = [("town_id", "department_id"), ("department_id",), ("town_id",)]


class Hours(Func):
    """Hours from the first datetime to the second; NULL when the second is."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        (start, p1), (end, p2) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0", [*p2, *p1]

    def as_sqlite(self, compiler, connection, **extra_context):
        (start, p1), (end, p2) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(julianday({end}) - julianday({start})) * 24.0", [*p2, *p1]


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile of an expression over the group (NULLs left out)."""

    function = "percentile_cont"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, **extra)
        self.fraction = fraction

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"percentile_cont({float(self.fraction)}) WITHIN GROUP (ORDER BY {sql})", params


def _counts():
    """The count columns of ``CallFigure``, as aggregates over a group of calls."""
    done = Q(state__in=DONE)
    return {
        "calls": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
        "accepted_on_time": Count("pk", filter=Q(accepted_at__lte=F("accept_due"))),
        "closed": Count("pk", filter=done),
        "closed_on_time": Count("pk", filter=done & Q(closed_at__lte=F("close_due"))),
        "evaluated": Count("pk", filter=Q(state=State.EVALUATED)),
        "satisfied": Count("pk", filter=Q(state=State.EVALUATED, rating=Call.Rating.SATISFIED)),
        "basically": Count("pk", filter=Q(state=State.EVALUATED, rating=Call.Rating.BASICALLY)),
        "dissatisfied": Count("pk", filter=Q(state=State.EVALUATED, rating=Call.Rating.DISSATISFIED)),
        "disputes": Count("pk", filter=Q(was_disputed=True)),
        "unlisted": Count("pk", filter=Q(item__isnull=True)),
    }


TIMES = {"accept": ("accepted_at",), "close": ("closed_at",)}


def time_aggregates():
    """Median and 90th percentile of the hours to accept and to close, as aggregates (PostgreSQL)."""
    return {
        f"{name}_hours_{label}": Percentile(Hours(F("raised_at"), F(column)), fraction)
        for name, (column,) in TIMES.items()
        for label, fraction in (("median", 0.5), ("p90", 0.9))
    }


def _window(period):
    index = period.year * 12 + period.month - 1 - (WINDOW_MONTHS - 1)
    return dt.date(index // 12, index % 12 + 1, 1), period


def _month_end(period):
    index = period.year * 12 + period.month
    return dt.date(index // 12, index % 12 + 1, 1)


def _calls(first, last, town_ids, department_ids):
    calls = Call.objects.filter(raised_at__date__gte=first, raised_at__date__lt=_month_end(last))
    if town_ids is not None:
        calls = calls.filter(Q(town_id__in=town_ids) | Q(department_id__in=department_ids))
    return calls.annotate(month=TruncMonth("raised_at"), county_id=F("town__county_id"))


def _grouped(calls, grain):
    keys = ["month", "county_id", *grain]
    aggregates = _counts()
    if connection.vendor == "postgresql":
        aggregates |= time_aggregates()
    return calls.values(*keys).annotate(**aggregates).order_by()


def _percentiles(calls, grain):
    """{group key: {column: value}} of the times, for databases without percentile_cont."""
    values = defaultdict(lambda: defaultdict(list))
    hours = {name: Hours(F("raised_at"), F(column)) for name, (column,) in TIMES.items()}
    for row in calls.values("month", "county_id", *grain, **{f"h_{n}": h for n, h in hours.items()}):
        key = (row["month"], row["county_id"], *(row[g] for g in grain))
        for name in TIMES:
            if row[f"h_{name}"] is not None:
                values[key][name].append(row[f"h_{name}"])
    result = {}
    for key, by_name in values.items():
        result[key] = {}
        for name, data in by_name.items():
            data.sort()
            result[key][f"{name}_hours_median"] = statistics.median(data)
            result[key][f"{name}_hours_p90"] = _percentile(data, 0.9)
    return result


def _percentile(data, fraction):
    """percentile_cont over sorted ``data``: linear interpolation between the closest ranks."""
    position = fraction * (len(data) - 1)
    low = int(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def _month(value):
    return value.date() if isinstance(value, dt.datetime) else value


def _rows(calls, grain):
    times = _percentiles(calls, grain) if connection.vendor != "postgresql" else {}
    for row in _grouped(calls, grain):
        key = (row["month"], row["county_id"], *(row[g] for g in grain))
        fields = {k: v for k, v in row.items() if k not in ("month", "county_id", *grain)}
        fields |= times.get(key, {})
        yield CallFigure(
            period=_month(row.pop("month")),
            county_id=row["county_id"],
            town_id=row.get("town_id") if "town_id" in grain else None,
            department_id=row.get("department_id") if "department_id" in grain else None,
            **fields,
        )


VALUES = [f.attname for f in CallFigure._meta.concrete_fields if f.attname not in ("id",)]
KEY = ("period", "county_id", "town_id", "department_id")


def _key(row):
    return tuple(getattr(row, name) for name in KEY)


def _close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-6
    return a == b


def recompute(period, town_ids=None, since=None):
    """Rebuild the figures of the twelve months up to ``period`` (a month's first day); returns the rows changed.

    With ``town_ids``, only those towns' rows and the rows of the departments they called, and with
    ``since`` (a day: the towns' calls changed are those raised from its month on) only the months
    from its month. A call counts in the month it was raised, so an answer to this month's call
    changes this month alone; a town's run need not regroup a year of its departments' calls. Rows
    equal to the stored ones are left alone, so a run over unchanged calls writes nothing. A full run
    (no ``town_ids``) also stores the period's year figures of the cities and provinces
    (``recompute_years``).
    """
    first, last = _window(period)
    department_ids = None
    if town_ids is not None:
        town_ids = list(town_ids)
        if since is not None:
            first = min(max(first, since.replace(day=1)), last)
        department_ids = _departments_of(town_ids, first)
    rows = recompute_years([period.year]) if town_ids is None else 0
    if connection.vendor == "postgresql":
        statement = _statement(first, last, town_ids, department_ids)
        with connection.cursor() as cursor:
            if town_ids is None:
                # Planned for this night's dates: a plan cached for any dates could misjudge the window.
                cursor.execute(*statement)
                rows += cursor.fetchone()[0]
            else:
                # Prepared once per session: a town's run would otherwise spend as long planning it as running it.
                rows += prepared.execute(cursor, [statement]).fetchone()[0]
    else:
        rows += _recompute_in_python(first, last, town_ids, department_ids)
    return rows + _keep_department_years(first, last, department_ids)


def _departments_of(town_ids, first):
    """The departments whose figures from the month ``first`` on count calls of the towns ``town_ids``:
    those the towns' calls name now, and those the towns' stored figures name. A call handed to another
    department by a ruling leaves no call of the town to its former department, whose figures must
    still lose it."""
    called = Call.objects.filter(town_id__in=town_ids, raised_at__gte=_start_of(first))
    counted = CallFigure.objects.filter(town_id__in=town_ids, period__gte=first, department__isnull=False)
    # Unordered: SQLite refuses an ORDER BY (the models' default) inside a UNION.
    ids = called.order_by().values_list("department_id").union(counted.order_by().values_list("department_id"))
    return sorted(department for (department,) in ids)


def _start_of(day):
    """The first moment of ``day`` in the application's time zone (months are the zone's months)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


# The count columns of ``CallFigure`` as SQL over a group of calls ``c`` (the same tests as ``_counts``).
_DONE_SQL = f"c.state IN ('{State.CLOSED.value}', '{State.EVALUATED.value}')"
_EVALUATED_SQL = f"c.state = '{State.EVALUATED.value}'"
COUNTS_SQL = {
    "calls": "COUNT(*)",
    "accepted": "COUNT(*) FILTER (WHERE c.accepted_at IS NOT NULL)",
    "accepted_on_time": "COUNT(*) FILTER (WHERE c.accepted_at <= c.accept_due)",
    "closed": f"COUNT(*) FILTER (WHERE {_DONE_SQL})",
    "closed_on_time": f"COUNT(*) FILTER (WHERE {_DONE_SQL} AND c.closed_at <= c.close_due)",
    "evaluated": f"COUNT(*) FILTER (WHERE {_EVALUATED_SQL})",
    **{
        rating.value: f"COUNT(*) FILTER (WHERE {_EVALUATED_SQL} AND c.rating = '{rating.value}')"
        for rating in (Call.Rating.SATISFIED, Call.Rating.BASICALLY, Call.Rating.DISSATISFIED)
    },
    "disputes": "COUNT(*) FILTER (WHERE c.was_disputed)",
    "unlisted": "COUNT(*) FILTER (WHERE c.item_id IS NULL)",
}
# Both fractions of a time from one sort of the group's values (an array of two), not one sort each.
TIMES_SQL = {
    name: (
        "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
        f"(ORDER BY EXTRACT(EPOCH FROM (c.{column} - c.raised_at)) / 3600.0)"
    )
    for name, (column,) in TIMES.items()
}
FRACTIONS = {
    f"{name}_hours_{label}": f"{name}[{index}]" for name in TIMES for label, index in (("median", 1), ("p90", 2))
}
MEASURES = [*COUNTS_SQL, *FRACTIONS]


def _statement(first, last, town_ids, department_ids):
    """The PostgreSQL rebuild as one statement and its parameters; it selects the rows changed.

    ``fresh`` holds the window's rows as they should be; the three writes that follow see the stored
    rows as they were when the statement began, and touch disjoint rows: the stored keys not in
    ``fresh`` are deleted, the others updated where a value differs, the keys of ``fresh`` not stored
    inserted. Unchanged calls therefore write nothing (no dead rows, no index churn).
    """
    q = connection.ops.quote_name
    related = (Call.town.field.related_model, Call.department.field.related_model)
    calls, towns, departments, table = (q(m._meta.db_table) for m in (Call, *related, CallFigure))
    zone = timezone.get_default_timezone_name()
    measures = ", ".join(f"{sql} AS {name}" for name, sql in (COUNTS_SQL | TIMES_SQL).items())
    town_join = f" JOIN {towns} t ON t.id = c.town_id"
    source = (
        f"FROM {calls} c{town_join} "
        "CROSS JOIN LATERAL (SELECT date_trunc('month', c.raised_at AT TIME ZONE %s)::date AS m) mm "
        "WHERE c.raised_at >= %s AND c.raised_at < %s"
    )
    window = [zone, _start_of(first), _start_of(_month_end(last))]
    columns = "mm.m AS period, t.county_id, c.town_id, c.department_id"
    if town_ids is None:
        fresh = (
            f"SELECT {columns}, {measures} {source} GROUP BY GROUPING SETS "
            "((mm.m, t.county_id, c.town_id, c.department_id), (mm.m, t.county_id, c.department_id), "
            "(mm.m, t.county_id, c.town_id))"
        )
        fresh_params = window
        stored_scope, scope_params = "", []
    else:
        # A town's rows from its own calls; a department's from every town's calls to it.
        fresh = (
            f"SELECT {columns}, {measures} {source} AND c.town_id = ANY(%s) GROUP BY GROUPING SETS "  # noqa: S608 (identifiers from model metadata)
            "((mm.m, t.county_id, c.town_id, c.department_id), (mm.m, t.county_id, c.town_id)) UNION ALL "
            # A department's county, joined once per row rather than a town's once per call: a call goes
            # only to a department of its town's county (Call.clean), so the two are the same.
            f"SELECT g.m, d.county_id, NULL, g.department_id, {', '.join(COUNTS_SQL | TIMES_SQL)} FROM "
            f"(SELECT mm.m, c.department_id, {measures} {source.replace(town_join, '')} "
            "AND c.department_id = ANY(%s) GROUP BY mm.m, c.department_id) g "
            f"JOIN {departments} d ON d.id = g.department_id"
        )
        fresh_params = [*window, town_ids, *window, department_ids]
        stored_scope = " AND (f.town_id = ANY(%s) OR (f.town_id IS NULL AND f.department_id = ANY(%s)))"
        scope_params = [town_ids, department_ids]
    fresh = (
        f"SELECT period, county_id, town_id, department_id, {', '.join(COUNTS_SQL)}, "  # noqa: S608 (identifiers from model metadata)
        f"{', '.join(f'{sql} AS {name}' for name, sql in FRACTIONS.items())} FROM ({fresh}) grouped"
    )
    # The months as a list, not a range: a town's rows are then found by (period, town) index probes.
    # Ids and months are arrays, so that the statement's text is the same for every town (prepared once).
    stored = f"f.period = ANY(%s){stored_scope}"
    stored_params = [_months(first, last), *scope_params]
    # coalesce: the grains leave town or department NULL, and a hash join needs plain equality.
    same_key = " AND ".join(f"coalesce(s.{k}, 0) = coalesce(f.{k}, 0)" for k in ("town_id", "department_id"))
    keys = ["period", "county_id", "town_id", "department_id"]
    differs = f"({', '.join(f'f.{m}' for m in MEASURES)}) IS DISTINCT FROM ({', '.join(f's.{m}' for m in MEASURES)})"
    sql = (
        f"WITH fresh AS ({fresh}), "  # noqa: S608 (identifiers from model metadata; values are parameters)
        # One join of the fresh rows with the stored ones keeps only what must be written: a stored row
        # without a fresh one (gone), a fresh row without a stored one (new), or a pair that differs.
        f"diff AS MATERIALIZED (SELECT f.id, s.period IS NULL AS gone, {', '.join(f's.{c}' for c in keys + MEASURES)} "
        f"FROM fresh s FULL JOIN (SELECT * FROM {table} f WHERE {stored}) f ON s.period = f.period "
        f"AND s.county_id = f.county_id AND {same_key} WHERE f.id IS NULL OR s.period IS NULL OR {differs}), "
        f"gone AS (DELETE FROM {table} f USING diff d WHERE f.id = d.id AND d.gone RETURNING 1), "
        f"changed AS (UPDATE {table} f SET {', '.join(f'{m} = d.{m}' for m in MEASURES)} FROM diff d "
        "WHERE f.id = d.id AND NOT d.gone RETURNING 1), "
        f"added AS (INSERT INTO {table} ({', '.join(keys + MEASURES)}) "
        f"SELECT {', '.join(keys + MEASURES)} FROM diff WHERE id IS NULL RETURNING 1) "
        "SELECT (SELECT COUNT(*) FROM gone) + (SELECT COUNT(*) FROM changed) + (SELECT COUNT(*) FROM added)"
    )
    return sql, [*fresh_params, *stored_params]


def _year_of(column):
    """SQL of the calendar year of the date ``column``, as an integer (each database has its own)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def _among(column, ids):
    """(`` AND column among ids``, params); nothing for None (all). One array parameter on PostgreSQL,
    so that a prepared statement serves any number of ids."""
    if ids is None:
        return "", []
    if connection.vendor == "postgresql":
        return f" AND {column} = ANY(%s)", [list(ids)]
    return in_ids(column, ids), list(ids)


def department_year_statements(first_year, last_year, department_ids=None):
    """The statements that make the ``DepartmentYearCalls`` of the years ``first_year`` to ``last_year``
    (of ``department_ids``, or every department) the sums of the departments' monthly rows, writing only
    what differs: totals left without a monthly row are deleted, new or changed ones written. Run after
    the monthly rows are written."""
    q = connection.ops.quote_name
    totals, monthly = q(DepartmentYearCalls._meta.db_table), q(CallFigure._meta.db_table)
    bounds = [dt.date(first_year, 1, 1), dt.date(last_year + 1, 1, 1)]
    among, ids = _among(f"{totals}.department_id", department_ids)
    delete = (
        f"DELETE FROM {totals} WHERE year >= %s AND year <= %s{among} AND NOT EXISTS (SELECT 1 FROM {monthly} f "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"WHERE f.town_id IS NULL AND f.department_id = {totals}.department_id AND f.period >= %s "
        f"AND f.period < %s AND {_year_of('f.period')} = {totals}.year)",
        [first_year, last_year, *ids, *bounds],
    )
    among, ids = _among("f.department_id", department_ids)
    columns = ["county_id", *SUMMED]
    changed = " OR ".join(f"{totals}.{c} <> excluded.{c}" for c in columns)
    upsert = (
        f"INSERT INTO {totals} (year, department_id, {', '.join(columns)}) "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"SELECT {_year_of('f.period')}, f.department_id, MIN(f.county_id), {', '.join(f'SUM(f.{c})' for c in SUMMED)} "
        f"FROM {monthly} f WHERE f.town_id IS NULL AND f.department_id IS NOT NULL AND f.period >= %s "
        f"AND f.period < %s{among} GROUP BY {_year_of('f.period')}, f.department_id "
        f"ON CONFLICT (year, department_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns)} "
        f"WHERE {changed}",
        [*bounds, *ids],
    )
    return [delete, upsert]


def _keep_department_years(first, last, department_ids):
    """Bring the year totals of the months ``first`` to ``last`` in step (see ``department_year_statements``);
    returns the totals written."""
    if department_ids is not None and not department_ids:
        return 0
    written = 0
    with connection.cursor() as cursor:
        for statement in department_year_statements(first.year, last.year, department_ids):
            if department_ids is None:
                cursor.execute(*statement)
            else:
                prepared.execute(cursor, [statement])
            written += max(cursor.rowcount, 0)
    return written


def _months(first, last):
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _month_end(month)
    return months


def _recompute_in_python(first, last, town_ids, department_ids):
    """The rebuild for databases without percentile_cont (SQLite): the rows built and compared here."""
    stored = CallFigure.objects.filter(period__gte=first, period__lte=last)
    if town_ids is not None:
        stored = stored.filter(Q(town_id__in=town_ids) | Q(town__isnull=True, department_id__in=department_ids))
    fresh = {}
    for grain in GRAINS:
        calls = _calls(first, last, town_ids, department_ids)
        if town_ids is not None:
            # A town's rows from its own calls; a department's from every town's calls to it.
            own = {"town_id__in": town_ids} if "town_id" in grain else {"department_id__in": department_ids}
            calls = calls.filter(**own)
        fresh.update((_key(row), row) for row in _rows(calls, grain))
    return _write_difference(CallFigure, {_key(row): row for row in stored}, fresh, VALUES)


def _write_difference(model, stored, fresh, fields):
    """Make the stored rows ``{key: row}`` equal the fresh ones ``{key: unsaved row}`` writing only the
    difference: stale rows deleted, rows whose ``fields`` differ updated, new ones inserted. Returns the
    rows written."""
    gone = [row.pk for key, row in stored.items() if key not in fresh]
    changed = []
    # Compared by column (a foreign key's id), never through a related object's query.
    columns = [model._meta.get_field(f).attname for f in fields]
    for key, row in fresh.items():
        if key in stored and not all(_close(getattr(stored[key], c), getattr(row, c)) for c in columns):
            row.pk = stored[key].pk
            changed.append(row)
    added = [row for key, row in fresh.items() if key not in stored]
    model.objects.filter(pk__in=gone).delete()
    model.objects.bulk_update(changed, fields, batch_size=1000)
    model.objects.bulk_create(added, batch_size=1000)
    return len(gone) + len(changed) + len(added)


# What cities' and provinces' dashboards read of a year ------------------------------------------------


def _year_bounds(year):
    return _start_of(dt.date(year, 1, 1)), _start_of(dt.date(year + 1, 1, 1))


def recompute_years(years):
    """Store, for each of ``years``, the response times of every city's and province's calls and the
    calls on each list item: a median does not add up over towns, and a year of calls is too many to
    read on every view of those dashboards. Returns the rows written; as with the monthly figures,
    rows equal to the stored ones are left alone."""
    # The items first: a region's count of items never called is read from them.
    return sum(_recompute_item_calls(year) + _recompute_region_times(year) for year in sorted(set(years)))


def _recompute_region_times(year):
    """The year's response times and items never called per city and province (a row for each with
    calls or list items), only the difference written."""
    from .models import RegionCallTimes

    times, never = _region_times(year), _items_never_called(year)
    fresh = {
        region: RegionCallTimes(
            year=year, region_id=region, items_never_called=never.get(region, 0), **times.get(region, {"calls": 0})
        )
        for region in times.keys() | never.keys()
    }
    stored = {row.region_id: row for row in RegionCallTimes.objects.filter(year=year)}
    return _write_difference(RegionCallTimes, stored, fresh, ["calls", *FRACTIONS, "items_never_called"])


def never_called_statement(year):
    """Per county, the list items not withdrawn that no call of ``year`` named: after the year's
    ``ItemYearCalls`` are stored, one grouped anti-join (the same SQL on both databases)."""
    from .models import ItemYearCalls, ResponsibilityList

    q = connection.ops.quote_name
    items, lists = q(ResponsibilityItem._meta.db_table), q(ResponsibilityList._meta.db_table)
    sql = (
        f"SELECT l.county_id, COUNT(*) FROM {items} i JOIN {lists} l ON l.id = i.responsibility_list_id "  # noqa: S608 (identifiers from model metadata)
        f"WHERE i.withdrawn_on IS NULL AND NOT EXISTS (SELECT 1 FROM {q(ItemYearCalls._meta.db_table)} y "
        "WHERE y.year = %s AND y.item_id = i.id) GROUP BY l.county_id"
    )
    return sql, [year]


def _items_never_called(year):
    """{city or province id: list items never called in ``year``}, rolled up from the counties."""
    from reforms.models import Region

    with connection.cursor() as cursor:
        cursor.execute(*never_called_statement(year))
        by_county = cursor.fetchall()
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    counts = Counter()
    for county, n in by_county:
        city = parents.get(county)
        for region in (city, parents.get(city)):
            if region is not None:
                counts[region] += n
    return counts


def _recompute_item_calls(year):
    """The year's calls per list item, only the difference written (one statement on PostgreSQL)."""
    from .models import ItemYearCalls

    # Raw SQL on SQLite compares the stored UTC text, so the instants are adapted as the ORM would.
    start, end = (connection.ops.adapt_datetimefield_value(instant) for instant in _year_bounds(year))
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        table = q(ItemYearCalls._meta.db_table)
        sql = (
            f"WITH fresh AS ({item_call_counts_statement()}), "  # noqa: S608 (identifiers from model metadata)
            "diff AS MATERIALIZED (SELECT s.id, f.item_id, f.county_id, f.calls, f.item_id IS NULL AS gone "
            f"FROM (SELECT * FROM {table} WHERE year = %s) s FULL JOIN fresh f ON f.item_id = s.item_id "
            "WHERE s.id IS NULL OR f.item_id IS NULL OR s.calls <> f.calls OR s.county_id <> f.county_id), "
            f"gone AS (DELETE FROM {table} t USING diff d WHERE t.id = d.id AND d.gone RETURNING 1), "
            f"changed AS (UPDATE {table} t SET calls = d.calls, county_id = d.county_id FROM diff d "
            "WHERE t.id = d.id AND NOT d.gone RETURNING 1), "
            f"added AS (INSERT INTO {table} (item_id, county_id, year, calls) SELECT item_id, county_id, %s, calls "
            "FROM diff WHERE id IS NULL RETURNING 1) "
            "SELECT (SELECT COUNT(*) FROM gone) + (SELECT COUNT(*) FROM changed) + (SELECT COUNT(*) FROM added)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end, year, year])
            return cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(item_call_counts_statement(), [start, end])
        counts = cursor.fetchall()
    fresh = {item: ItemYearCalls(item_id=item, county_id=county, year=year, calls=n) for item, county, n in counts}
    stored = {row.item_id: row for row in ItemYearCalls.objects.filter(year=year)}
    return _write_difference(ItemYearCalls, stored, fresh, ["calls", "county"])


def item_call_counts_statement():
    """The calls per list item raised between two instants, with the item's county (``%s`` twice)."""
    from .models import ResponsibilityList

    q = connection.ops.quote_name
    items, lists = q(ResponsibilityItem._meta.db_table), q(ResponsibilityList._meta.db_table)
    return (
        f"SELECT c.item_id, l.county_id, COUNT(*) AS calls FROM {q(Call._meta.db_table)} c "  # noqa: S608 (identifiers from model metadata)
        f"JOIN {items} i ON i.id = c.item_id JOIN {lists} l ON l.id = i.responsibility_list_id "
        "WHERE c.raised_at >= %s AND c.raised_at < %s GROUP BY c.item_id, l.county_id"
    )


def _region_times(year):
    """{region id: {calls, times}} of the cities and provinces over the calls raised in ``year``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*_region_times_statement(year))
            names = [column.name for column in cursor.description]
            return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}
    start, end = _year_bounds(year)
    calls = Call.objects.filter(raised_at__gte=start, raised_at__lt=end)
    hours = {name: Hours(F("raised_at"), F(column)) for name, (column,) in TIMES.items()}
    values = defaultdict(lambda: defaultdict(list))
    for row in calls.values(city=F("town__county__parent"), province=F("town__county__parent__parent"), **hours):
        for region in (row["city"], row["province"]):
            if region is not None:
                values[region]["calls"].append(1)
                for name in TIMES:
                    if row[name] is not None:
                        values[region][name].append(row[name])
    fresh = {}
    for region, by_name in values.items():
        fresh[region] = {"calls": len(by_name["calls"])}
        for name in TIMES:
            data = sorted(by_name[name])
            fresh[region][f"{name}_hours_median"] = _percentile(data, 0.5) if data else None
            fresh[region][f"{name}_hours_p90"] = _percentile(data, 0.9) if data else None
    return fresh


def _region_times_statement(year):
    """A year's times per city and per province in one pass over its calls (GROUPING SETS over the tree)."""
    from reforms.models import Region

    q = connection.ops.quote_name
    towns = q(Call.town.field.related_model._meta.db_table)
    calls, regions = q(Call._meta.db_table), q(Region._meta.db_table)
    region = "CASE WHEN GROUPING(city.id) = 0 THEN city.id ELSE city.parent_id END"
    sql = (
        f"SELECT region_id, calls, {', '.join(f'{sql} AS {name}' for name, sql in FRACTIONS.items())} FROM ("  # noqa: S608 (identifiers from model metadata)
        f"SELECT {region} AS region_id, COUNT(*) AS calls, "
        f"{', '.join(f'{sql} AS {name}' for name, sql in TIMES_SQL.items())} "
        f"FROM {calls} c JOIN {towns} t ON t.id = c.town_id JOIN {regions} county ON county.id = t.county_id "
        f"JOIN {regions} city ON city.id = county.parent_id "
        "WHERE c.raised_at >= %s AND c.raised_at < %s GROUP BY GROUPING SETS ((city.id), (city.parent_id))"
        ") grouped WHERE region_id IS NOT NULL"
    )
    return sql, list(_year_bounds(year))
