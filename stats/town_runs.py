"""A town's recompute: its summary rows replaced and the rows above it brought up to date.

Each town row carries ``towns`` = 1 and every row above it the number of town rows it sums, so on
PostgreSQL a town's run adds the change of its rows (new minus old) to its county, city, province
and programme rows and drops the rows no town is left in: a few dozen rows written, where re-summing
a programme reads every member town's rows. The programmes a town was counted in are its own
``pilot_towns`` figures, so leaving or joining one moves its figures exactly. Rows that cannot be
trusted for that (written before counts were kept, or under another county) are re-summed instead,
as they are on SQLite.
"""

import logging

from django.db import DatabaseError, connection, transaction

from reforms.models import PilotProgramme, ProgrammeMembership, Region, Town

from . import partitions, prepared
from .figures import (
    TABLES,
    delete_statements,
    roll_up_statements,
    scope_where,
    town_figures_statement,
    town_power_statement,
    town_totals_statements,
)
from .models import Figure, Metric, PowerFigure, ScopeKind
from .sql import in_ids, table_name

logger = logging.getLogger(__name__)


def plan(period, town_ids):
    """({kind: sorted ids} of the towns and every scope above them, whether their change can be added).

    Every programme a town ever joined is in scope: one it has left must lose it. A town's change
    cannot be added where its stored rows were not counted (``towns`` other than 1) or were counted
    in another county, nor where a row above has no count yet (it would be dropped as empty).
    """
    towns, regions, members = table_name(Town), table_name(Region), table_name(ProgrammeMembership)
    checks, params = [], []
    for model in (PowerFigure, Figure):
        table = table_name(model)
        checks.append(
            f"EXISTS (SELECT 1 FROM {table} f WHERE f.period = %s AND f.scope_kind = %s AND f.scope_id = t.id "  # noqa: S608 (identifiers from model metadata; values are parameters)
            "AND (f.towns <> 1 OR f.region_id <> t.county_id))"
        )
        checks.append(
            f"EXISTS (SELECT 1 FROM {table} f WHERE f.period = %s AND f.towns = 0 AND ("  # noqa: S608 (identifiers from model metadata; values are parameters)
            "(f.scope_kind = %s AND f.scope_id = t.county_id) OR (f.scope_kind = %s AND f.scope_id = c.parent_id) "
            "OR (f.scope_kind = %s AND f.scope_id = y.parent_id)))"
        )
        params += [period, ScopeKind.TOWN, period, ScopeKind.COUNTY, ScopeKind.CITY, ScopeKind.PROVINCE]
    sql = (
        f"SELECT t.id, t.county_id, c.parent_id, y.parent_id, {' OR '.join(checks)} FROM {towns} t "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"JOIN {regions} c ON c.id = t.county_id JOIN {regions} y ON y.id = c.parent_id "
        f"WHERE TRUE{in_ids('t.id', town_ids)}"
    )
    members = f"SELECT programme_id FROM {members} WHERE TRUE{in_ids('town_id', town_ids)}"  # noqa: S608 (identifiers from model metadata; values are parameters)
    with connection.cursor() as cursor:
        rows = prepared.execute(cursor, [(sql, [*params, *town_ids])]).fetchall()
        programmes = {programme for (programme,) in prepared.execute(cursor, [(members, list(town_ids))]).fetchall()}
    kinds = (ScopeKind.TOWN, ScopeKind.COUNTY, ScopeKind.CITY, ScopeKind.PROVINCE)
    scopes = {kind: sorted({row[i] for row in rows}) for i, kind in enumerate(kinds)}
    scopes[ScopeKind.PROGRAMME] = sorted(programmes)
    return scopes, not any(row[-1] for row in rows)


def _resum_statements(period, as_of, scopes):
    """Delete the scopes' rows, insert the towns' rows, re-sum every scope above them."""
    towns = scopes[ScopeKind.TOWN]
    return [
        *delete_statements(period, scopes),
        town_power_statement(period, as_of, towns),
        town_figures_statement(period, as_of, towns),
        *roll_up_statements(period, as_of, scopes),
    ]


def _inclusion(period, as_of, towns):
    """(side, programme_id, town_id): the programmes each town is counted in now (+1) and was (-1)."""
    members, figures = table_name(ProgrammeMembership), table_name(Figure)
    sql = (
        f"SELECT 1 AS side, m.programme_id, m.town_id FROM {members} m WHERE m.joined_on <= %s "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"AND (m.left_on IS NULL OR m.left_on >= %s){in_ids('m.town_id', towns)} "
        f"UNION ALL SELECT -1, CAST(f.key AS BIGINT), f.scope_id FROM {figures} f "
        f"WHERE f.period = %s AND f.scope_kind = %s AND f.metric = %s{in_ids('f.scope_id', towns)}"
    )
    return sql, [as_of, as_of, *towns, period, ScopeKind.TOWN, Metric.PILOT_TOWNS, *towns]


def _add_statement(model, dimensions, measures, period, as_of, towns, town_insert):
    """One statement: replace the towns' rows of ``model`` and add their change to every row above.

    The old rows (deleted) and the new ones (inserted) are the change, signed -1 and +1; each row
    goes to its county, the county's city and province, and the programmes its town was or is
    counted in; the sums per scope and key are added to the stored rows (inserted where new). Every
    part reads the table as it was before the statement, so the inclusion read here is the old one.
    """
    table, regions, programmes = table_name(model), table_name(Region), table_name(PilotProgramme)
    values = [*measures, "towns"]
    carried = ", ".join(["scope_id", "region_id", *dimensions, *values])
    insert, insert_params = town_insert
    inclusion, inclusion_params = _inclusion(period, as_of, towns)
    dims = ", ".join(f"c.{d}" for d in dimensions)
    signed = ", ".join(f"c.side * c.{v} AS {v}" for v in values)
    county = f"JOIN {regions} g ON g.id = c.region_id"
    # (kind, scope id, region, joins) of each level above a town row.
    ancestors = [
        (ScopeKind.COUNTY, "c.region_id", "c.region_id", ""),
        (ScopeKind.CITY, "g.parent_id", "g.parent_id", county),
        (ScopeKind.PROVINCE, "h.parent_id", "h.parent_id", f"{county} JOIN {regions} h ON h.id = g.parent_id"),
        (
            ScopeKind.PROGRAMME,
            "i.programme_id",
            "p.region_id",
            "JOIN inclusion i ON i.town_id = c.scope_id AND i.side = c.side "
            f"JOIN {programmes} p ON p.id = i.programme_id",
        ),
    ]
    kinds = [kind for kind, *_ in ancestors]
    up = " UNION ALL ".join(
        f"SELECT CAST(%s AS VARCHAR(10)) AS kind, {sid} AS sid, {region} AS region, {dims}, {signed} "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"FROM change c {joins}"
        for _kind, sid, region, joins in ancestors
    )
    dimension_list = ", ".join(dimensions)
    # Stored rows of the same scope and key as the delta row d.
    same = " AND ".join(
        ["f.scope_kind = d.kind", "f.scope_id = d.sid", "f.period = %s", *(f"f.{d} = d.{d}" for d in dimensions)]
    )
    sql = (
        f"WITH old AS (DELETE FROM {table} WHERE period = %s AND scope_kind = %s{in_ids('scope_id', towns)} "  # noqa: S608 (identifiers from model metadata; values are parameters)
        f"RETURNING -1 AS side, {carried}), "
        f"new AS ({insert} RETURNING 1 AS side, {carried}), "
        f"change AS (SELECT * FROM old UNION ALL SELECT * FROM new), "
        f"inclusion AS ({inclusion}), up AS ({up}), "
        f"delta AS (SELECT kind, sid, region, {dimension_list}, {', '.join(f'SUM({v}) AS {v}' for v in values)} "
        f"FROM up GROUP BY kind, sid, region, {dimension_list} "
        # A key whose sums did not change is not rewritten.
        f"HAVING {' OR '.join(f'SUM({v}) <> 0' for v in values)}), "
        # Added to the stored rows by an UPDATE: an INSERT … ON CONFLICT checks its proposed row, whose
        # values here are differences and may be negative, against the CHECK constraints first.
        f"added AS (UPDATE {table} f SET {', '.join(f'{v} = f.{v} + d.{v}' for v in values)} FROM delta d "
        f"WHERE {same}) "
        f"INSERT INTO {table} (scope_kind, scope_id, period, region_id, town_id, {dimension_list}, "
        f"{', '.join(values)}) SELECT d.kind, d.sid, %s, d.region, NULL, "
        f"{', '.join(f'd.{c}' for c in [*dimensions, *values])} FROM delta d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} f WHERE {same})"
    )
    params = [period, ScopeKind.TOWN, *towns, *insert_params, *inclusion_params, *kinds, period, period, period]
    return sql, params


def _add_statements(period, as_of, scopes):
    """The additive run: each table's statement, then the rows above that no town is left in."""
    towns = scopes[ScopeKind.TOWN]
    inserts = {
        PowerFigure: town_power_statement(period, as_of, towns),
        Figure: town_figures_statement(period, as_of, towns),
    }
    # The power statement first: the figures' statement replaces the pilot_towns rows both read.
    statements = [
        _add_statement(model, dims, measures, period, as_of, towns, inserts[model]) for model, dims, measures in TABLES
    ]
    above = {kind: ids for kind, ids in scopes.items() if kind != ScopeKind.TOWN}
    where, params = scope_where(period, above)
    statements += [(f"DELETE FROM {table_name(model)} WHERE towns = 0 AND {where}", params) for model, *_ in TABLES]  # noqa: S608 (identifiers from model metadata; values are parameters)
    return statements


def _run(statements, scopes, period):
    """Run ``statements``, then bring the towns' totals in step, as one round trip on PostgreSQL;
    returns the rows now in ``scopes``."""
    where, params = scope_where(period, scopes)
    counts = [f"(SELECT COUNT(*) FROM {table_name(model)} WHERE {where})" for model, _dims, _measures in TABLES]  # noqa: S608 (identifiers from model metadata; values are parameters)
    count = (f"SELECT {' + '.join(counts)}", params * len(counts))
    totals = town_totals_statements(period, scopes[ScopeKind.TOWN])
    statements = [*partitions.ensure_statements(period), *statements, *totals, count]
    with connection.cursor() as cursor:
        # On PostgreSQL one query string of EXECUTEs: they run in order, each seeing the previous
        # ones' rows.
        return prepared.execute(cursor, statements).fetchone()[0]


def rebuild_towns(period, as_of, town_ids):
    """Rebuild the rows of the towns ``town_ids`` and of every scope above them; returns the rows there."""
    scopes, additive = plan(period, town_ids)
    if additive and connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                return _run(_add_statements(period, as_of, scopes), scopes, period)
        except DatabaseError:
            # A row above that disagrees with its towns (a sum would go negative): re-sum instead.
            logger.exception("Adding the change of towns %s failed; re-summing their scopes", town_ids)
    return _run(_resum_statements(period, as_of, scopes), scopes, period)
