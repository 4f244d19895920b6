"""The nightly full recompute: every summary row of a month rebuilt, only what changed written.

The rows are built in temporary staging tables by the statements of ``stats.figures``, then merged
into the summary tables; the first run of a month on PostgreSQL loads them as the month's new
partition instead (``stats.partitions``).
"""

from django.db import connection

from . import figures, partitions
from .figures import TABLES
from .models import Figure, PowerFigure
from .sql import run_sql, table_name


def rebuild_all(period, as_of):
    """Rebuild every summary row of ``period`` and the town totals; returns the rows written (deleted,
    inserted, updated).

    The rows are built in staging tables (temporary, no indexes), then only the difference is written:
    keys that vanished are deleted, new keys inserted, changed values updated. On most nights few
    figures change, so an unchanged ledger costs two hash joins per table instead of rewriting
    ~100,000 rows and their indexes (and leaving as many dead rows behind). The first run of a
    month on PostgreSQL loads them as the month's new partition instead (``_load_partition``).
    """
    stages = {model: _create_stage(model) for model, _dims, _measures in TABLES}
    if connection.vendor == "postgresql":
        # CREATE TABLE AS, unlike INSERT … SELECT, may scan the case counts with parallel workers,
        # and the case scan is most of the full run.
        select, params = figures.power_rows_select(period, as_of, None, typed=True)
        run_sql(f"DROP TABLE {stages[PowerFigure]}", [])
        run_sql(f"CREATE TEMPORARY TABLE {stages[PowerFigure]} AS {select}", params)
    else:
        run_sql(*figures.town_power_statement(period, as_of, None, stages[PowerFigure]))
    run_sql(*figures.town_figures_statement(period, as_of, None, stages[Figure]))
    if connection.vendor == "postgresql":
        # Autovacuum never sees temporary tables; without statistics the roll-ups' joins are planned
        # blind. A small sample (3,000 rows, not 30,000) is enough to tell a big table from a small one.
        run_sql("SELECT set_config('default_statistics_target', '10', true)", [])
        run_sql(f"ANALYZE {', '.join(stages.values())}", [])
    figures.roll_up(period, as_of, tables=stages)
    if connection.vendor == "postgresql":
        # The merges compare every staged row with the stored one: a hash over each side is 3-4x
        # faster here than ~100,000 index probes or two sorts on text keys, which the planner prefers.
        # Local to the run's transaction; only its bookkeeping follows.
        nested, merge = "set_config('enable_nestloop', 'off', true)", "set_config('enable_mergejoin', 'off', true)"
        run_sql(f"SELECT {nested}, {merge}", [])
    missing = partitions.missing(period)
    rows = sum(
        _load_partition(model, stages[model], period)
        if model in missing
        else _merge(model, stages[model], dims, measures, period)
        for model, dims, measures in TABLES
    )
    for stage in stages.values():
        run_sql(f"DROP TABLE {stage}", [])
    # The town totals follow the town power rows just merged (or loaded).
    return rows + sum(run_sql(sql, params) for sql, params in figures.town_totals_statements(period))


def _create_stage(model):
    """An empty temporary table with the summary table's columns (no id, no constraints, no index)."""
    stage = connection.ops.quote_name(f"stage_{model._meta.db_table}")
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        # A failed run rolled its table back with it; DROP covers any other leftover in this connection.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} AS SELECT {', '.join(columns)} FROM {table_name(model)} WHERE 1 = 0"  # noqa: S608 (identifiers from model metadata)
        )
    return stage


def _load_partition(model, stage, period):
    """The first run of a month: ``stage``'s rows loaded into a new table, then attached as the month's
    partition; its indexes are built once when it is attached, not grown row by row. Returns the rows."""
    table, part = table_name(model), partitions.name(model, period)
    columns = ", ".join(f.column for f in model._meta.concrete_fields if not f.primary_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"CREATE TABLE {part} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"INSERT INTO {part} (id, {columns}) SELECT nextval(%s), {columns} FROM {stage}",  # noqa: S608 (identifiers from model metadata; values are parameters)
            [sequence],
        )
        rows = cursor.rowcount
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {part} FOR VALUES {partitions.bounds(period)}")
        # Statistics now: a town's run plans its statements once per session (stats.prepared) and must
        # see that the month has rows, not an empty table.
        cursor.execute(f"ANALYZE {part}")
    return rows


def _merge(model, stage, dimensions, measures, period):
    """Make ``period``'s rows of ``model`` equal to ``stage``'s, writing only what differs; returns the
    rows deleted, inserted or updated."""
    table = table_name(model)
    keys = ["scope_kind", "scope_id", "period", *dimensions]
    values = ["region_id", "town_id", *measures, "towns"]
    same_key = " AND ".join(f"s.{k} = {table}.{k}" for k in keys)
    delete = f"DELETE FROM {table} WHERE period = %s AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {same_key})"  # noqa: S608 (identifiers from model metadata; values are parameters)
    # Rows equal to the current ones are dropped by one anti-join (a hash over the period's rows)
    # rather than by one unique-index probe each; what remains is new or changed. town_id follows
    # from the scope, so the region and the measures are what can change.
    same_row = " AND ".join(f"f.{c} = s.{c}" for c in keys + values if c != "town_id")
    upsert = (
        f"INSERT INTO {table} ({', '.join(keys + values)}) SELECT {', '.join('s.' + c for c in keys + values)} "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM {table} f WHERE f.period = %s AND {same_row}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(f'{v} = excluded.{v}' for v in values)}"
    )
    return run_sql(delete, [period]) + run_sql(upsert, [period])
