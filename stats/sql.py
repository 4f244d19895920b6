"""Small SQL helpers shared by the statistics engine's modules (figures, runs, partitions, alerts)."""

from django.db import connection


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
