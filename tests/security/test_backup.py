"""`make backup` then `make restore` into a fresh database gives the same statistics."""

import os
import shutil
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from stats.models import PowerFigure
from stats.services import recompute_all
from tests.factories import DelegatedPowerFactory
from tests.processes import shared_database_url
from tests.security.test_faults import _side_connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore are PostgreSQL's"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs the PostgreSQL client tools"),
]

# The table name is a model's, not input.
FIGURES = (
    "SELECT scope_kind, scope_id, power_type, mode, delegated, taken_over"  # noqa: S608
    f" FROM {PowerFigure._meta.db_table} ORDER BY 1, 2, 3, 4"
)


def _rows(url_or_conn):
    conn = psycopg2.connect(url_or_conn) if isinstance(url_or_conn, str) else url_or_conn
    with conn.cursor() as cursor:
        cursor.execute(FIGURES)
        return cursor.fetchall()


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    side = _side_connection()
    side.autocommit = True
    with side.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield shared_database_url().rsplit("/", 1)[0] + f"/{name}"
    with side.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    side.close()


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_statistics(tmp_path, fresh_database):
    power = DelegatedPowerFactory(take_over_status="taken_over")
    DelegatedPowerFactory(town=power.town, catalogue=power.catalogue, take_over_status="pending")
    recompute_all()
    expected = _rows(shared_database_url())
    assert expected

    dump = tmp_path / "ledger.dump"
    make = ["make", "-s", "-C", str(settings.BASE_DIR), f"BACKUP={dump}"]
    subprocess.run([*make, "backup", f"DATABASE_URL={shared_database_url()}"], check=True, capture_output=True)
    assert dump.stat().st_size > 0
    subprocess.run([*make, "restore", f"DATABASE_URL={fresh_database}"], check=True, capture_output=True)
    assert _rows(fresh_database) == expected

    # Recomputing from the restored ledger reproduces the same figures.
    subprocess.run(
        [sys.executable, "manage.py", "recompute_stats"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": fresh_database, "REDIS_URL": ""},
        check=True,
        capture_output=True,
    )
    assert _rows(fresh_database) == expected
