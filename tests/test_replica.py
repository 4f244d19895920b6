"""Reads of safe requests go to the read replica; writes, and reads that follow a write, to the primary.

Without ``DATABASE_REPLICA_URL`` the replica is a second connection to the test database (a test
mirror), which is enough to see where each query goes. The tests marked ``replica`` need the real
streaming standby that CI starts (``.ci/replica``) and check that what is written on the primary is
read back from the standby.
"""

import os
import time

import pytest
from django.db import OperationalError, connection, connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from benchmarks.generate import Generator, Scale
from core import db_router
from core.db_router import PIN_COOKIE, replica_reads
from reforms.models import Region
from staffing.models import Organ
from stats.services import recompute_all
from tests.factories import OrganFactory, TownFactory, UserFactory

# Committed rows: the replica's connection cannot see a test's rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

REAL_REPLICA = pytest.mark.skipif(
    not os.environ.get("DATABASE_REPLICA_URL"),
    reason="needs a streaming standby of the test database's server: set DATABASE_REPLICA_URL (CI does, .ci/replica)",
)


@pytest.fixture(autouse=True)
def _replica_reads_on(settings, monkeypatch):
    settings.REPLICA_READS = True
    monkeypatch.setattr(db_router, "_replica_down_until", 0.0)


@pytest.fixture
def organ():
    organ = OrganFactory(town=TownFactory(), name="综合行政执法局")
    # Immediate with the test mirror; a moment later on a real standby.
    wait_until(lambda: Organ.objects.using("replica").filter(pk=organ.pk).exists())
    return organ


@pytest.fixture
def editor(organ):
    client = APIClient()
    client.force_authenticate(UserFactory(region=organ.town.county))
    return client


class Queries:
    """The SQL each database received while the block ran."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def touching(self, alias, table):
        return [q["sql"] for q in self.contexts[alias].captured_queries if table in q["sql"]]


def wait_until(condition, seconds=10.0):
    """Poll ``condition`` until it holds: a standby replays the primary's changes a moment later."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"the replica did not catch up within {seconds} s"
        time.sleep(0.05)


def test_api_get_reads_the_record_from_the_replica(editor, organ):
    with Queries() as queries:
        response = editor.get(f"/api/v1/organs/{organ.pk}/")
    assert response.json()["name"] == "综合行政执法局"
    assert queries.touching("replica", "staffing_organ")
    assert not queries.touching("default", "staffing_organ")


def test_page_get_reads_the_ledger_from_the_replica(client, organ):
    client.force_login(UserFactory(region=organ.town.county))
    with Queries() as queries:
        response = client.get("/")
    assert organ.town.name in response.content.decode()
    assert queries.touching("replica", "reforms_town")
    assert not queries.touching("default", "reforms_town")


def test_dashboard_reads_the_statistics_from_the_replica(client):
    Generator(Scale(1, 1, 1, 2, 6), seed=7).run()
    recompute_all()
    province = Region.objects.get(level="province")
    client.force_login(UserFactory(role="reviewer", region=province))
    with Queries() as queries:
        response = client.get(f"/dashboard/region/{province.code}/")
    assert "经济发达镇改革统计看板" in response.content.decode()
    assert queries.touching("replica", "stats_powerfigure")
    assert not queries.touching("default", "stats_")


def test_api_write_goes_to_the_primary_and_so_do_its_reads(editor, organ):
    with Queries() as queries:
        response = editor.patch(
            f"/api/v1/organs/{organ.pk}/", {"name": "便民服务中心"}, format="json", HTTP_IF_MATCH=f'"{organ.version}"'
        )
    assert response.status_code == 200
    assert response.json()["name"] == "便民服务中心"
    assert any(sql.startswith("UPDATE") for sql in queries.touching("default", "staffing_organ"))
    assert not queries.touching("replica", "staffing_organ")


def test_after_a_write_the_client_reads_from_the_primary_for_a_while(settings, editor, organ):
    editor.patch(f"/api/v1/organs/{organ.pk}/", {"name": "便民服务中心"}, format="json", HTTP_IF_MATCH="*")
    assert editor.cookies[PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    with Queries() as queries:
        response = editor.get(f"/api/v1/organs/{organ.pk}/")
    assert response.json()["name"] == "便民服务中心"
    assert queries.touching("default", "staffing_organ")
    assert not queries.touching("replica", "staffing_organ")


def test_sessions_and_accounts_are_read_from_the_primary(client, organ):
    client.force_login(UserFactory(region=organ.town.county))
    with Queries() as queries:
        client.get("/")
    assert queries.touching("default", "django_session")
    assert queries.touching("default", "core_user")
    assert not queries.touching("replica", "django_session")
    assert not queries.touching("replica", "core_user")


def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(organ):
    with replica_reads():
        assert Organ.objects.get(pk=organ.pk)._state.db == "replica"
        Organ.objects.filter(pk=organ.pk).update(name="便民服务中心")
        assert Organ.objects.get(pk=organ.pk)._state.db == "default"


def test_reads_inside_a_transaction_go_to_the_primary(organ):
    with replica_reads(), transaction.atomic():
        assert Organ.objects.get(pk=organ.pk)._state.db == "default"


def test_reads_outside_a_request_go_to_the_primary(organ):
    """Celery tasks and management commands never read a possibly stale replica."""
    assert Organ.objects.get(pk=organ.pk)._state.db == "default"


def test_replica_reads_off_sends_get_requests_to_the_primary(settings, editor, organ):
    settings.REPLICA_READS = False
    with Queries() as queries:
        editor.get(f"/api/v1/organs/{organ.pk}/")
    assert queries.touching("default", "staffing_organ")
    assert not queries.touching("replica", "staffing_organ")


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "staffing", model_name="organ")
    assert not router.allow_migrate("replica", "staffing", model_name="organ")


@pytest.mark.replica
@REAL_REPLICA
def test_the_replica_is_a_standby_of_the_primary():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


@pytest.mark.replica
@REAL_REPLICA
def test_a_write_on_the_primary_is_read_back_from_the_standby(editor, organ):
    wait_until(lambda: Organ.objects.using("replica").filter(pk=organ.pk).exists())
    with Queries() as queries:
        response = editor.get(f"/api/v1/organs/{organ.pk}/")
    assert response.json()["name"] == "综合行政执法局"
    assert queries.touching("replica", "staffing_organ")
    page = Client()
    page.force_login(UserFactory(region=organ.town.county))
    with Queries() as queries:
        assert organ.town.name in page.get("/").content.decode()
    assert queries.touching("replica", "reforms_town")

    # The standby refuses writes: this one succeeds because it went to the primary.
    editor.cookies.clear()
    response = editor.patch(f"/api/v1/organs/{organ.pk}/", {"name": "便民服务中心"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    wait_until(lambda: Organ.objects.using("replica").get(pk=organ.pk).name == "便民服务中心")
    editor.cookies.clear()
    with replica_reads():
        assert Organ.objects.get(pk=organ.pk).name == "便民服务中心"


def test_with_the_replica_down_get_requests_read_from_the_primary(monkeypatch, editor, organ):
    """A replica that does not answer is left alone for a while instead of failing every page."""

    def refuse():
        raise OperationalError("connection refused")

    with Queries() as queries:
        with monkeypatch.context() as patch:
            patch.setattr(connections["replica"], "ensure_connection", refuse)
            first = editor.get(f"/api/v1/organs/{organ.pk}/")
        # Back up, but not tried again before REPLICA_RETRY_SECONDS.
        second = editor.get(f"/api/v1/organs/{organ.pk}/")
    assert first.json()["name"] == second.json()["name"] == "综合行政执法局"
    assert len(queries.touching("default", "staffing_organ")) == 2
    assert not queries.touching("replica", "staffing_organ")


def test_a_kept_replica_connection_that_died_is_dropped_and_the_primary_answers(monkeypatch, editor, organ):
    """The replica restarted between two requests: the connection kept from the first is dead."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database ignores close(): nothing to drop")

    def refuse():
        raise OperationalError("connection refused")

    editor.get(f"/api/v1/organs/{organ.pk}/")
    assert connections["replica"].connection is not None
    # What request_started does for a server's requests (the test client leaves it out).
    connections["replica"].health_check_done = False
    with Queries() as queries, monkeypatch.context() as patch:
        patch.setattr(connections["replica"], "is_usable", lambda: False)
        patch.setattr(connections["replica"], "connect", refuse)
        response = editor.get(f"/api/v1/organs/{organ.pk}/")
    assert response.json()["name"] == "综合行政执法局"
    assert queries.touching("default", "staffing_organ")


def test_a_row_read_from_the_replica_may_point_at_one_from_the_primary(organ):
    with replica_reads():
        town = type(organ.town).objects.get(pk=organ.town_id)
    assert town._state.db == "replica"
    other = OrganFactory.build(town=town, name="便民服务中心")
    other.save()
    assert other.town_id == town.pk
