"""A town's run after an edit recomputes its call figures when a call changed, and only then.

Edits reach the statistics through the outbox (``PendingRecompute``) and its drain, as in production;
tasks run in-process here.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.services import record_update
from stats.models import PendingRecompute
from stats.services import pending_drain, pending_mark, recompute_all
from territory.models import CallFigure
from territory.services import call_accept, call_raise
from tests.factories import ReformTaskFactory

# Calls raised hours ago must fall in this month and this year at any hour the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_month")]


@pytest.fixture
def waiting(world):
    """A call of the town to the environment bureau, raised five hours ago and not yet accepted; the
    statistics computed."""
    call, _created = call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        subject="排污",
        raised_at=timezone.now() - dt.timedelta(hours=5),
    )
    recompute_all(triggered_by="test")
    return call


def _department_row(world):
    month = timezone.localdate().replace(day=1)
    return CallFigure.objects.get(period=month, department=world["environment"], town__isnull=True)


def test_a_call_accepted_reaches_the_call_figures_through_the_outbox(
    world, waiting, eager_celery, django_capture_on_commit_callbacks
):
    assert _department_row(world).accepted == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_accept(user=world["responder"], call=waiting, at=waiting.raised_at + dt.timedelta(hours=1))
    assert _department_row(world).accepted == 1
    assert not PendingRecompute.objects.exists()


def test_a_ledger_edit_leaves_the_call_figures_alone_and_the_next_call_edit_brings_them_in_step(
    world, waiting, eager_celery, django_capture_on_commit_callbacks
):
    task = ReformTaskFactory(plan__town=world["town"])
    recompute_all(triggered_by="test")
    # A stored figure that no longer matches the calls: only a recompute of the call figures mends it.
    CallFigure.objects.filter(pk=_department_row(world).pk).update(calls=99)
    with django_capture_on_commit_callbacks(execute=True):
        record_update(task, user=world["admin"], data={"status": "in_progress"}, expected_version=task.version)
    assert not PendingRecompute.objects.exists()  # the town's run did run
    assert _department_row(world).calls == 99
    with django_capture_on_commit_callbacks(execute=True):
        call_accept(user=world["responder"], call=waiting)
    assert _department_row(world).calls == 1


def test_a_town_waiting_in_the_outbox_keeps_its_call_figures_asked_for(world):
    town = world["town"].pk
    pending_mark({town}, calls_changed=False)
    assert PendingRecompute.objects.get(town_id=town).calls is False
    pending_mark({town}, calls_changed=True)
    pending_mark({town}, calls_changed=False)
    assert PendingRecompute.objects.get(town_id=town).calls is True


def test_a_towns_call_figures_are_asked_for_from_the_earliest_month_any_change_asked_for(world):
    town, month = world["town"].pk, timezone.localdate().replace(day=1)
    earlier = (month - dt.timedelta(days=1)).replace(day=1)

    def asked():
        row = PendingRecompute.objects.get(town_id=town)
        return row.calls, row.calls_since

    pending_mark({town}, calls_changed=False)
    pending_mark({town}, calls_changed=True, calls_since=month + dt.timedelta(days=3))
    assert asked() == (True, month)
    pending_mark({town}, calls_changed=True, calls_since=earlier + dt.timedelta(days=9))
    pending_mark({town}, calls_changed=True, calls_since=month)
    pending_mark({town}, calls_changed=False)
    assert asked() == (True, earlier)
    # A change that may touch any month (a town moved to another county) asks for all of them, for good.
    pending_mark({town}, calls_changed=True)
    pending_mark({town}, calls_changed=True, calls_since=month)
    assert asked() == (True, None)


def test_a_call_step_asks_for_the_call_figures_of_the_month_the_call_was_raised(
    world, waiting, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("stats.tasks.queue_drain", lambda: None)  # left in the outbox, to be read
    later = time_machine.travel(timezone.now() + dt.timedelta(days=40), tick=True)
    with later, django_capture_on_commit_callbacks(execute=True):
        call_accept(user=world["responder"], call=waiting)
    row = PendingRecompute.objects.get(town_id=world["town"].pk)
    assert (row.calls, row.calls_since) == (True, timezone.localdate().replace(day=1))


def test_a_towns_run_from_a_month_rebuilds_the_call_figures_of_that_month_on(world, waiting):
    month = timezone.localdate().replace(day=1)
    earlier = (month - dt.timedelta(days=1)).replace(day=1)
    call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        subject="占道",
        raised_at=timezone.make_aware(dt.datetime.combine(earlier.replace(day=10), dt.time(9))),
    )
    recompute_all(triggered_by="test")
    rows = CallFigure.objects.filter(town=world["town"], department__isnull=True)
    rows.update(calls=99)
    pending_mark({world["town"].pk}, calls_changed=True, calls_since=month)
    pending_drain()
    assert dict(rows.values_list("period", "calls")) == {earlier: 99, month: 1}
    pending_mark({world["town"].pk}, calls_changed=True, calls_since=earlier)
    pending_drain()
    assert dict(rows.values_list("period", "calls")) == {earlier: 1, month: 1}
