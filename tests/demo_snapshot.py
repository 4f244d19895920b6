"""The demo ledger built once per test session and lent to each module that asks for it.

Loading the demo from its five documents and computing its statistics takes tens of seconds; doing it
once per module cost more than half of the suite. The demo is therefore built once, kept aside, and a
module that uses it borrows it: its tests run in transactions rolled back after each test, as every
``django_db`` test does, so the kept copy never changes. When the module ends the test database is as
it was before, so the modules that do not use the demo see an empty ledger whatever the order.

- PostgreSQL: the demo lives in a database of its own, cloned from the migrated test database (a
  template copy) and loaded once; a module switches the connection to it and back.
- SQLite: the test database is in memory; SQLite's online backup copies a whole database in
  milliseconds, so the demo and the state before it are kept as two in-memory copies and copied in
  and out.

Modules whose tests commit (``transaction=True``) or start other processes must not use the lent demo:
they would write into the kept copy, or their processes would read the test database's own name.
"""

import sqlite3

from django.db import connection


def _load_demo_and_statistics():
    """The demo as ``load_demo`` builds it: the five documents, then every month's statistics."""
    from demo.loader import load_demo
    from stats.services import recompute_history

    load_demo()
    recompute_history()


class PostgresDemo:
    """The demo in a database of its own beside the test database, cloned from it once."""

    def __init__(self):
        self.test_name = connection.settings_dict["NAME"]
        self.demo_name = f"{self.test_name}_demo"

    def _admin(self, *statements):
        # Statements on databases run outside any database they touch: on the maintenance database.
        connection.close()
        with connection._nodb_cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)

    def build(self):
        """Clone the migrated test database, load the demo into the clone and commit it there."""
        quoted_test, quoted_demo = (connection.ops.quote_name(n) for n in (self.test_name, self.demo_name))
        # A template copy needs the source without other sessions (earlier live servers' threads).
        self._admin(
            (f"DROP DATABASE IF EXISTS {quoted_demo} WITH (FORCE)", None),
            (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.test_name],
            ),
            (f"CREATE DATABASE {quoted_demo} TEMPLATE {quoted_test}", None),
        )
        self.enter()
        try:
            _load_demo_and_statistics()
        finally:
            self.leave()

    def enter(self):
        """Point the connection at the demo database."""
        connection.close()
        connection.settings_dict["NAME"] = self.demo_name

    def leave(self):
        """Point the connection back at the test database, untouched by the module."""
        connection.close()
        connection.settings_dict["NAME"] = self.test_name

    def drop(self):
        """Remove the demo database at the end of the session."""
        self._admin((f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.demo_name)} WITH (FORCE)", None))


class SqliteDemo:
    """The demo and the test database's state before it, kept as two in-memory copies."""

    def __init__(self):
        self.before = sqlite3.connect(":memory:")
        self.demo = sqlite3.connect(":memory:")

    @staticmethod
    def _live():
        connection.ensure_connection()
        return connection.connection

    def build(self):
        """Keep the state before the demo, load the demo, keep it too, and restore the state before."""
        self._live().backup(self.before)
        _load_demo_and_statistics()
        self._live().backup(self.demo)
        self.leave()

    def enter(self):
        """Copy the demo into the test database."""
        self.demo.backup(self._live())

    def leave(self):
        """Copy the state before the demo back into the test database."""
        self.before.backup(self._live())

    def drop(self):
        """Free the two copies."""
        self.before.close()
        self.demo.close()


def demo_snapshot():
    """The kind of kept demo that suits the test database's vendor, not yet built."""
    return PostgresDemo() if connection.vendor == "postgresql" else SqliteDemo()
