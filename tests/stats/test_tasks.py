"""Recompute after edits through Celery: queued after commit, coalesced, never lost without a broker."""

import contextlib
import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from config.celery import app
from core.services import record_update
from reforms.models import Town
from stats.models import PendingRecompute, RecomputeRun
from stats.tasks import DRAIN_QUEUED_KEY
from tests.factories import TownFactory
from tests.processes import shared_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker():
    """A broker address nothing listens on, with a short connection timeout."""
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_connection_timeout")}
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False, broker_connection_timeout=1)
    _forget_connections()
    cache.delete(DRAIN_QUEUED_KEY)
    yield
    app.conf.update(saved)
    _forget_connections()
    cache.delete(DRAIN_QUEUED_KEY)


def _forget_connections():
    """Drop the app's pooled broker connections so the next send uses the current broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


def test_with_the_broker_unreachable_a_save_succeeds_promptly_and_the_recompute_waits_in_the_outbox(
    admin_user, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    town = TownFactory()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        record_update(town, user=admin_user, data={"name": "新名镇"})
    assert time.monotonic() - started < 5
    assert Town.objects.get(pk=town.pk).name == "新名镇"
    assert list(PendingRecompute.objects.values_list("town_id", flat=True)) == [town.pk]
    assert "broker unreachable" in caplog.text

    # Once a worker (or the nightly run) drains the outbox, the town is recomputed.
    from stats.services import pending_drain

    run = pending_drain()
    assert run.outcome == RecomputeRun.Outcome.SUCCESS
    assert not PendingRecompute.objects.exists()


def test_a_burst_of_edits_to_one_town_leaves_one_outbox_row(admin_user, unreachable_broker):
    from stats.tasks import on_town_touched

    town = TownFactory()
    for _ in range(3):
        on_town_touched(sender=None, town_ids={town.pk})
    assert PendingRecompute.objects.filter(town=town).count() == 1


def test_the_nightly_full_recompute_empties_the_outbox(admin_user, unreachable_broker):
    from stats.services import pending_mark, recompute_all

    town = TownFactory()
    pending_mark([town.pk])
    recompute_all()
    assert not PendingRecompute.objects.exists()


@contextlib.contextmanager
def celery_worker(log_path):
    """A real `celery -A config worker` process on REDIS_URL, reading the test database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open the in-memory SQLite test database; CI runs PostgreSQL")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": shared_database_url()}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", "celery", "-l", "warning"],
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _wait_until_drained(log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and PendingRecompute.objects.exists():
        time.sleep(0.2)
    assert not PendingRecompute.objects.exists(), log_path.read_text()


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_drains_a_queued_recompute(admin_user, tmp_path):
    """Starts `celery -A config worker` against REDIS_URL and waits for the queued run to finish."""
    from stats.tasks import drain_pending_task

    town = TownFactory()
    PendingRecompute.objects.create(town=town, touched_at=town.updated_at)
    with celery_worker(tmp_path / "worker.log"):
        drain_pending_task.apply_async()
        _wait_until_drained(tmp_path / "worker.log")
        assert RecomputeRun.objects.filter(outcome=RecomputeRun.Outcome.SUCCESS, triggered_by="outbox").exists()


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
@override_settings(STATS_COALESCE_SECONDS=0)
def test_an_edit_right_after_the_worker_drained_the_last_one_is_recomputed_too(admin_user, tmp_path):
    """The web process queues a drain and the worker process runs it: both must see one coalescing key.

    Were the key kept in each process's memory, the web process would still hold it after the worker
    had drained the first edit, and the second edit would wait for the nightly run.
    """
    from stats.tasks import on_town_touched

    town = TownFactory()
    cache.delete(DRAIN_QUEUED_KEY)
    with celery_worker(tmp_path / "worker.log"):
        for edit in (1, 2):
            on_town_touched(sender=None, town_ids={town.pk})
            _wait_until_drained(tmp_path / "worker.log")
            runs = RecomputeRun.objects.filter(outcome=RecomputeRun.Outcome.SUCCESS, triggered_by="outbox")
            assert runs.count() == edit


def test_deleting_a_town_leaves_nothing_in_the_outbox(admin_user, eager_celery, django_capture_on_commit_callbacks):
    from core.services import record_delete

    town = TownFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(town, user=admin_user)
    assert not PendingRecompute.objects.exists()
    assert not Town.objects.filter(pk=town.pk).exists()


def test_a_task_edit_of_its_cooperating_units_alone_queues_no_recompute(
    unreachable_broker, django_capture_on_commit_callbacks
):
    """No figure or alert reads the units a task names: its town's figures are not rebuilt for it."""
    from tests.api.conftest import client_for
    from tests.factories import ReformTaskFactory, UserFactory

    task = ReformTaskFactory()
    client = client_for(UserFactory(region=task.plan.town.county))
    url = f"/api/v1/tasks/{task.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(url, {"cooperating_units": "县司法局"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert client.get(url).json()["cooperating_units"] == "县司法局"
    assert not PendingRecompute.objects.exists()

    # The same edit with the task's status, which the figures count, queues its town.
    done = {"cooperating_units": "县财政局", "status": "done", "completed_on": "2026-11-30"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(url, done, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.json()
    assert list(PendingRecompute.objects.values_list("town_id", flat=True)) == [task.plan.town_id]


def test_a_save_that_changes_nothing_queues_no_recompute(unreachable_broker, django_capture_on_commit_callbacks):
    """Another system resending its records as they are: no month of the town is rebuilt for it.

    A task names no period, so each such save queued its town for every month since the reform began.
    """
    from tests.api.conftest import client_for
    from tests.factories import DelegatedPowerFactory, ReformTaskFactory, UserFactory

    task = ReformTaskFactory(status="in_progress", cooperating_units="县司法局")
    power = DelegatedPowerFactory(town=task.plan.town)
    client = client_for(UserFactory(region=task.plan.town.county))
    resent = {
        f"/api/v1/tasks/{task.pk}/": {"status": "in_progress", "cooperating_units": "县司法局"},
        f"/api/v1/delegated-powers/{power.pk}/": {
            "mode": "direct",
            "take_over_status": "taken_over",
            "take_over_on": "2019-06-01",
        },
    }
    for url, body in resent.items():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.patch(url, body, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 200, response.json()
        assert {name: response.json()[name] for name in body} == body
    assert not PendingRecompute.objects.exists()

    # One value changed among those resent: the town is queued.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/tasks/{task.pk}/",
            {"status": "done", "completed_on": "2026-11-30"},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 200, response.json()
    assert list(PendingRecompute.objects.values_list("town_id", flat=True)) == [task.plan.town_id]
