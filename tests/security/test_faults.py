"""Faults the office asked about: the broker down, the database restarted, a worker killed mid-recompute."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from delegation.models import DelegatedPower
from stats.models import Figure, PendingRecompute, PowerFigure, RecomputeRun
from stats.services import recompute_all, run_claimed
from tests.factories import DelegatedPowerFactory, OrganFactory, UserFactory
from tests.processes import shared_database_url
from tests.stats.test_tasks import unreachable_broker  # noqa: F401  (fixture)

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="exercises PostgreSQL itself")


def edit_data(power, **changes):
    return {
        "town": power.town.pk,
        "catalogue": power.catalogue.pk,
        "item": power.item.pk,
        "mode": power.mode,
        "delegated_on": power.delegated_on.isoformat(),
        "take_over_status": power.take_over_status,
        "take_over_on": "",
        "not_taken_over_reason": "",
        "receiving_organ": "",
        "version": power.version,
        **changes,
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("unreachable_broker")
def test_with_redis_unreachable_ui_and_api_writes_are_kept_and_queued(client, django_capture_on_commit_callbacks):
    power = DelegatedPowerFactory(take_over_status="pending", take_over_on=None)
    editor = UserFactory(region=power.town.county)
    client.force_login(editor)
    url = reverse("delegation:powers_update", args=[power.pk])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        organ = OrganFactory(town=power.town)
        data = edit_data(power, take_over_status="taken_over", take_over_on="2019-06-01", receiving_organ=organ.pk)
        saved = client.post(url, data)
    assert saved.status_code == 302
    assert client.get(reverse("delegation:powers_list")).status_code == 200
    power.refresh_from_db()
    assert power.take_over_status == "taken_over"

    api = APIClient()
    api.force_authenticate(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/delegated-powers/{power.pk}/",
            {"take_over_status": "pending", "take_over_on": None},
            format="json",
            HTTP_IF_MATCH=f'"{power.version}"',
        )
    assert response.status_code == 200, response.content
    assert time.monotonic() - started < 15
    assert DelegatedPower.objects.get(pk=power.pk).take_over_status == "pending"
    assert api.get("/api/v1/delegated-powers/").status_code == 200
    # Nothing lost: the recompute waits in the outbox for the broker to come back.
    assert list(PendingRecompute.objects.values_list("town_id", flat=True)) == [power.town_id]


def _side_connection():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _app_env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": "",
        "CONN_MAX_AGE": "600",
        **extra,
    }


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_requests_succeed_after_the_database_drops_every_connection():
    """A real gunicorn worker keeps its connection; after PostgreSQL kills it, the next request reconnects."""
    port = _free_port()
    bind = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        # As the image starts it: the application loaded and warmed in the master (config/gunicorn.py).
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "-w", "1", "-b", bind],
        cwd=settings.BASE_DIR,
        env=_app_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        for _ in range(100):
            try:
                assert urllib.request.urlopen(url, timeout=5).status == 200
                break
            except OSError:
                time.sleep(0.2)
        side = _side_connection()
        side.autocommit = True
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
                [connection.connection.info.backend_pid if connection.connection else 0],
            )
            killed = sum(1 for (ok,) in cursor.fetchall() if ok)
        side.close()
        assert killed >= 1  # the worker's persistent connection was there, and is gone now
        for _ in range(3):
            assert urllib.request.urlopen(url, timeout=5).status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def _snapshot():
    return sorted(PowerFigure.objects.values_list("scope_kind", "scope_id", "power_type", "delegated", "taken_over"))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_recompute_killed_midway_keeps_the_previous_statistics_and_the_next_run_completes():
    power = DelegatedPowerFactory(take_over_status="taken_over")
    recompute_all()
    before = _snapshot()
    assert before, "the first run wrote figures"
    DelegatedPowerFactory(town=power.town, catalogue=power.catalogue)  # the next run has more to count

    # Hold the figure table, rebuilt after the power figures, so that the worker stops after it has
    # already deleted the power figures inside its transaction; then kill it there.
    side = _side_connection()
    with side.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Figure._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "recompute_stats"],
        cwd=settings.BASE_DIR,
        env=_app_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        waiting = False
        # Poll from another connection: pg_stat_activity is a snapshot frozen for a transaction's duration.
        watcher = _side_connection()
        watcher.autocommit = True
        with watcher.cursor() as cursor:
            for _ in range(300):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND xact_start IS NOT NULL"
                )
                if cursor.fetchone()[0]:
                    waiting = True
                    break
                time.sleep(0.1)
        watcher.close()
        assert waiting, worker.stderr.read().decode() if worker.poll() is not None else "worker never waited"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        side.rollback()
        side.close()
        if worker.poll() is None:
            worker.kill()

    assert _snapshot() == before
    killed = RecomputeRun.objects.get(triggered_by="command")
    run = recompute_all()
    assert run.outcome == RecomputeRun.Outcome.SUCCESS
    assert _snapshot() != before
    # The next run finds the killed one's record and closes it: nobody is left reading "running" forever.
    killed.refresh_from_db()
    assert killed.outcome == RecomputeRun.Outcome.ABANDONED
    assert killed.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_run_still_running_is_not_taken_for_abandoned_but_a_dead_one_is():
    from stats.services import runs_reap

    running = RecomputeRun.objects.create(scope="all", as_of="2026-01-01", triggered_by="nightly")
    dead = RecomputeRun.objects.create(scope="all", as_of="2026-01-01", triggered_by="nightly")
    # Started before any task could still be running: dead on every database, lock or no lock.
    RecomputeRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    claimed, done = threading.Event(), threading.Event()

    def worker():  # another process's connection, holding its run
        try:
            with run_claimed(running):
                claimed.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert claimed.wait(30)
        assert runs_reap() == 1
    finally:
        done.set()
        thread.join()
    running.refresh_from_db()
    dead.refresh_from_db()
    assert running.outcome == RecomputeRun.Outcome.RUNNING
    assert dead.outcome == RecomputeRun.Outcome.ABANDONED
