"""A town's run after an edit recomputes its call figures when a call changed, and only then.

Edits reach the statistics through the outbox (``PendingRecompute``) and its drain, as in production;
tasks run in-process here.
"""

import datetime as dt

import pytest
from django.utils import timezone

from core.services import record_update
from stats.models import PendingRecompute
from stats.services import pending_mark, recompute_all
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
