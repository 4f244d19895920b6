"""Statements prepared once per database session and executed many times (PostgreSQL).

A town's recompute sends the same few statements for every town, with only the ids and dates
different. Parsing and planning them (CTEs over a dozen tables) took about as long as running them
for one town, so each is prepared once per session under a name derived from its text and run as
``EXECUTE``; with ``plan_cache_mode = force_generic_plan`` (set by the run) its plan is reused too.
"""

import datetime as dt
import hashlib
import re
import weakref
from decimal import Decimal

from django.db import connection

# Prepared statement names per psycopg2 connection: a reconnection starts with none.
_PREPARED = weakref.WeakKeyDictionary()
# Beyond this many (towns batched in new combinations), the session's statements are dropped.
_LIMIT = 200
_TYPES = [
    (bool, "boolean"),
    (int, "bigint"),
    (str, "text"),
    (dt.datetime, "timestamptz"),
    (dt.date, "date"),
    (Decimal, "numeric"),
]


def _pg_type(value):
    if isinstance(value, list):
        # An array of ids or dates (``= ANY(%s)``), typed by its first element (bigint[] when empty).
        return ("bigint" if not value or type(value[0]) is int else _pg_type(value[0])) + "[]"
    # As PostgreSQL types an integer literal: integer when it fits (make_interval() takes no bigint).
    if type(value) is int and -(2**31) <= value < 2**31:
        return "integer"
    for kind, name in _TYPES:
        if isinstance(value, kind):
            return name
    raise TypeError(f"no PostgreSQL type for a prepared parameter of type {type(value).__name__}")


def _numbered(sql):
    """``sql`` with its ``%s`` placeholders numbered ``$1``, ``$2`` … and ``%%`` unescaped."""
    count = 0

    def number(_match):
        nonlocal count
        count += 1
        return f"${count}"

    return "%".join(re.sub(r"%s", number, part) for part in sql.split("%%"))


def execute(cursor, statements):
    """Run ``statements`` [(sql, params)] in one round trip, each prepared once per session on
    PostgreSQL (one by one elsewhere); returns the cursor, positioned on the last statement's result.

    A statement whose params are None is sent as it is (DDL cannot be prepared).
    """
    if connection.vendor != "postgresql":
        for sql, params in statements:
            cursor.execute(sql, params or ())
        return cursor
    prepared = _PREPARED.setdefault(connection.connection, set())
    if len(prepared) > _LIMIT:
        cursor.execute("DEALLOCATE ALL")
        prepared.clear()
    calls, values = [], []
    for sql, params in statements:
        if params is None:
            # A utility statement (DDL), which cannot be prepared; it holds no placeholder.
            calls.append(sql)
            continue
        types = [_pg_type(p) for p in params]
        name = "stats_" + hashlib.sha1(f"{sql}\0{types}".encode(), usedforsecurity=False).hexdigest()[:24]
        if name not in prepared:
            # Its own round trip, recorded only once it succeeded (a session keeps it even if the
            # transaction rolls back).
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {_numbered(sql)}")
            prepared.add(name)
        calls.append(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}")
        values += params
    cursor.execute("; ".join(calls), values)
    return cursor
