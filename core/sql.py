"""Raw SQL conditions that combine like Django's ``Q``, so one rule can be written for both; and the
ends of a long ranking, cut in the database.

A rule written as a function of its conditions (``a & ~b``) takes ``Q`` objects and expressions where
the ORM queries, and ``Condition`` fragments where hand-written SQL does (the statistics engine).
"""

from django.db import connections


class Condition:
    """A SQL boolean expression with its parameters, combined with ``&`` and negated with ``~``."""

    def __init__(self, sql, params=()):
        self.sql, self.params = sql, list(params)

    def __and__(self, other):
        return Condition(f"{self.sql} AND {other.sql}", [*self.params, *other.params])

    def __invert__(self):
        return Condition(f"NOT ({self.sql})", self.params)

    def __repr__(self):
        return f"Condition({self.sql!r}, {self.params!r})"


def share_sql(part, whole):
    """SQL of ``part`` ÷ ``whole`` (quoted columns, counts with ``part`` ≤ ``whole``) to rank by.

    As a double: division rounded correctly keeps two different shares of counts below ten million
    apart (they differ by more than 1e-14) and equal shares equal, so the order is the exact one; and
    PostgreSQL sorts doubles several times faster than the numerics ``* 1.0`` makes (a nation's
    towns are ranked on every view of its overview).
    """
    return f"CAST({part} AS DOUBLE PRECISION) / {whole}"


def ranked_ends(grouped, order, ends, *, ranked_if="1 = 1", totals=(), labels=None):
    """The rows of ``grouped`` (a ``values(…).annotate(…)`` queryset) ranked by ``order`` (SQL over its
    quoted column names), cut in the database to the first and the last ``ends`` (all with None).

    One query, so that a ranking of a province's thousands of towns or departments reaches Python as
    its twenty rows shown. Rows failing ``ranked_if`` (SQL) are not ranked. Returns (ranked rows as
    dicts in rank order, how many were ranked, how many rows there were, {name: sum over every row} of
    ``totals``).

    ``labels`` (key column of ``grouped``, ``values(label_key=…, name=…)`` queryset) adds the queryset's
    columns to the rows kept, joined on ``label_key`` after the cut: grouping every row by its names
    cost more than the ranking itself, and this reads the names of the twenty rows shown in the same
    query whether or not there are any.
    """
    db = connections[grouped.db]
    q = db.ops.quote_name
    names = [*grouped.query.values_select, *grouped.query.annotation_select]
    sql, params = grouped.query.sql_with_params()
    sums = "".join(f", SUM({q(name)}) OVER ()" for name in totals)
    inner = (
        f"SELECT {', '.join(q(name) for name in names)}, COUNT(*) OVER () AS rows_in_all{sums}, "  # noqa: S608 (quoted column names; the grouped query is Django's)
        f"SUM(ranked) OVER () AS rows_ranked, ROW_NUMBER() OVER (ORDER BY ranked DESC, {order}) AS place "
        f"FROM (SELECT grouped.*, CASE WHEN {ranked_if} THEN 1 ELSE 0 END AS ranked FROM ({sql}) grouped) grouped"
    )
    # Place 1 always comes back, ranked or not, for the counts and totals.
    keep, cut = ("AND (place <= %s OR place > rows_ranked - %s)", [ends, ends]) if ends is not None else ("", [])
    statement = f"SELECT * FROM ({inner}) r WHERE (place <= rows_ranked OR place = 1) {keep}"  # noqa: S608 (as above)
    label_names, label_params = [], []
    if labels is not None:
        key, queryset = labels
        label_names = [name for name in queryset.query.annotation_select if name != "label_key"]
        label_sql, label_params = queryset.order_by().query.sql_with_params()
        picked = ", ".join(f"labels.{q(name)}" for name in label_names)
        statement = (
            f"SELECT kept.*, {picked} FROM ({statement}) kept "  # noqa: S608 (quoted names; the labels' query is Django's)
            f"LEFT JOIN ({label_sql}) labels ON labels.{q('label_key')} = kept.{q(key)}"
        )
    with db.cursor() as cursor:
        cursor.execute(f"{statement} ORDER BY place", [*params, *cut, *label_params])
        fetched = cursor.fetchall()
    if not fetched:
        return [], 0, 0, dict.fromkeys(totals, 0)
    # Each row: the names' columns, rows_in_all, the totals, rows_ranked, place, then the labels.
    width = len(names)
    place_at = width + len(totals) + 2
    in_all, *total, ranked = fetched[0][width:place_at]
    rows = [
        dict(zip([*names, *label_names], [*row[:width], *row[place_at + 1 :]], strict=True))
        for row in fetched
        if row[place_at] <= ranked
    ]
    return rows, ranked, in_all, {name: value or 0 for name, value in zip(totals, total, strict=True)}
