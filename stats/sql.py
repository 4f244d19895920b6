"""Small SQL helpers shared by the statistics engine's modules (figures, runs, partitions, alerts)."""

import datetime as dt

from django.db import connection
from django.db.models import DateTimeField, Value
from django.utils import timezone

# Stands for the application's clock in SQL that is compiled once and run many times (a town run's
# alert statement is compiled once a day): ``with_clock`` puts each run's moment in its place, so that
# time limits are judged by the application's clock (which tests move), never the database's NOW().
CLOCK = dt.datetime(1901, 1, 1, 0, 0, 0, 190101, tzinfo=dt.UTC)


def run_sql(sql, params):
    """Run one statement; returns the rows it touched (0 when the driver cannot tell)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def table_name(model):
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def only_towns(queryset, path, town_ids):
    """``queryset`` limited to the towns ``town_ids`` through ``path`` (None: every town)."""
    return queryset if town_ids is None else queryset.filter(**{f"{path}__in": town_ids})


def in_ids(column, ids):
    """`` AND column IN (%s, …)`` for a list of ids, nothing for None (all)."""
    return "" if ids is None else f" AND {column} IN ({', '.join(['%s'] * len(ids))})"


def clock():
    """The application's current time as a SQL value (see ``with_clock``)."""
    return Value(CLOCK, output_field=DateTimeField())


def with_clock(params, now=None):
    """``params`` with the placeholder of ``clock()`` replaced by ``now`` (default: the current time)."""
    marker = connection.ops.adapt_datetimefield_value(CLOCK)
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    return [now if type(p) is type(marker) and p == marker else p for p in params]
