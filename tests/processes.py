"""What a test needs to let another process (a worker, a server) share its database."""

from django.db import connection


def shared_database_url():
    """The URL of the database this test runs in (the test database, not the configured one)."""
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
