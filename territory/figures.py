"""Call-and-respond figures: grouped aggregation over the calls, stored per month in ``CallFigure``.

``recompute`` runs inside the statistics engine's run (``stats.services``), nightly for every town and
after each edit for the towns touched. A call counts in the month it was raised; a month's figures
keep changing while its calls are answered, so every run rebuilds the twelve months up to the period.
Counts come from one GROUP BY per grain; the median and 90th percentile are PostgreSQL's
``percentile_cont`` in the same statement (on SQLite, which has none, from the grouped values).
"""

import datetime as dt
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q
from django.db.models.functions import TruncMonth

from .models import Call, CallFigure

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


def _calls(period, town_ids, department_ids):
    first, last = _window(period)
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


def _same(old, new):
    return all(_close(getattr(old, name), getattr(new, name)) for name in VALUES)


def _close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-6
    return a == b


def recompute(period, town_ids=None):
    """Rebuild the figures of the twelve months up to ``period`` (a month's first day); returns the rows changed.

    With ``town_ids``, only those towns' rows and the rows of the departments they called. Rows equal to
    the stored ones are left alone, so a run over unchanged calls writes nothing.
    """
    first, last = _window(period)
    stored = CallFigure.objects.filter(period__gte=first, period__lte=last)
    department_ids = None
    if town_ids is not None:
        department_ids = set(
            Call.objects.filter(town_id__in=town_ids, raised_at__date__gte=first).values_list(
                "department_id", flat=True
            )
        )
        stored = stored.filter(Q(town_id__in=town_ids) | Q(town__isnull=True, department_id__in=department_ids))
    fresh = {}
    for grain in GRAINS:
        calls = _calls(period, town_ids, department_ids)
        if town_ids is not None:
            # A town's rows from its own calls; a department's from every town's calls to it.
            own = {"town_id__in": town_ids} if "town_id" in grain else {"department_id__in": department_ids}
            calls = calls.filter(**own)
        fresh.update((_key(row), row) for row in _rows(calls, grain))
    old = {_key(row): row for row in stored}
    gone = [row.pk for key, row in old.items() if key not in fresh]
    changed = [row for key, row in fresh.items() if key in old and not _same(old[key], row)]
    for row in changed:
        row.pk = old[_key(row)].pk
    added = [row for key, row in fresh.items() if key not in old]
    CallFigure.objects.filter(pk__in=gone).delete()
    CallFigure.objects.bulk_update(changed, VALUES, batch_size=1000)
    CallFigure.objects.bulk_create(added, batch_size=1000)
    return len(gone) + len(changed) + len(added)
