"""Raw SQL conditions that combine like Django's ``Q``, so one rule can be written for both.

A rule written as a function of its conditions (``a & ~b``) takes ``Q`` objects and expressions where
the ORM queries, and ``Condition`` fragments where hand-written SQL does (the statistics engine).
"""


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
