"""The summary tables' partitions by month on PostgreSQL (see migration 0006); nothing elsewhere.

A month's partition is created by its first full run, which loads the month's rows and then attaches
them (``full_runs``), or, when a town's run comes first, empty (``ensure_statements``).
"""

import datetime as dt

from django.db import connection

from .figures import TABLES
from .sql import table_name


def name(model, period):
    """The quoted name of ``model``'s partition for the month ``period``."""
    return connection.ops.quote_name(f"{model._meta.db_table}_{period:%Y%m}")


def bounds(period):
    """The partition bound (SQL) of the month ``period``."""
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return f"FROM ('{period:%Y-%m-%d}') TO ('{following:%Y-%m-%d}')"


def missing(period):
    """The summary models without a partition for ``period`` yet (none off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    names = [name(model, period) for model, _dims, _measures in TABLES]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(['to_regclass(%s) IS NULL'] * len(names))}", names)
        return [model for (model, *_), missing in zip(TABLES, cursor.fetchone(), strict=True) if missing]


def ensure_statements(period):
    """The statements (SQL, no parameters) that make sure ``period`` has its partitions: a town's run
    in a month that no full run has reached yet writes into them."""
    if connection.vendor != "postgresql":
        return []
    return [
        (f"CREATE TABLE IF NOT EXISTS {name(model, period)} PARTITION OF {table_name(model)} "
         f"FOR VALUES {bounds(period)}", None)
        for model, _dims, _measures in TABLES
    ]  # fmt: skip
