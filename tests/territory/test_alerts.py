"""Alerts of call-and-respond: limits passed, a slow department, an item with no main unit."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from stats.alerts import sync_alerts
from stats.models import Alert
from stats.sql import with_clock
from territory.alerts import department_breaches
from territory.models import Call, CallPolicy
from territory.services import call_accept, call_close, call_raise, call_respond
from tests.factories import ResponsibilityItemFactory
from tests.plans import plan_nodes

pytestmark = pytest.mark.django_db


def _raise(world, hours_ago, urgency="urgent"):
    call, _created = call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        subject="河道排污",
        urgency=urgency,
        raised_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )
    return call


def _open(rule):
    return Alert.objects.filter(rule=rule, is_open=True)


def test_a_call_not_accepted_within_its_limit_raises_an_alert_that_closes_once_accepted(world):
    call = _raise(world, hours_ago=5)  # urgent: 4 hours to accept
    sync_alerts(timezone.localdate())
    alert = _open("call_not_accepted").get()
    assert alert.subject_id == call.pk
    assert "超过时限仍未受理" in alert.message
    call_accept(user=world["responder"], call=call)
    sync_alerts(timezone.localdate())
    assert not _open("call_not_accepted").exists()


def test_a_call_within_its_limit_raises_nothing(world):
    _raise(world, hours_ago=3)
    sync_alerts(timezone.localdate())
    assert not _open("call_not_accepted").exists()


def test_an_accepted_call_past_its_closing_limit_raises_an_alert(world):
    call = _raise(world, hours_ago=50)  # urgent: 48 hours to close
    call_accept(user=world["responder"], call=call)
    sync_alerts(timezone.localdate())
    assert _open("call_not_closed").get().subject_id == call.pk


def test_looking_back_at_a_day_before_the_limit_finds_nothing(world):
    """The figures of an earlier day judge calls as of that day's end, not today."""
    _raise(world, hours_ago=30, urgency="normal")  # 24 hours to accept: due 6 hours ago
    with time_machine.travel(timezone.now() - dt.timedelta(days=2)):
        day = timezone.localdate()
    sync_alerts(day)
    assert not _open("call_not_accepted").exists()


def test_a_department_below_the_countys_on_time_threshold_is_flagged(world):
    CallPolicy.objects.create(county=world["county"], on_time_threshold=90)
    for n in range(5):
        call = _raise(world, hours_ago=60 + n)
        call_accept(user=world["responder"], call=call)
        call_respond(user=world["responder"], call=call, response="已处理")
        if n < 3:
            call_close(user=world["responder"], call=call)  # closed now: 12+ hours late
    sync_alerts(timezone.localdate())
    alert = _open("department_late").get()
    assert alert.subject_id == world["environment"].pk
    assert alert.params["rate"] == 0
    assert alert.params["threshold"] == 90


def test_an_item_without_a_main_unit_is_flagged(world):
    item = ResponsibilityItemFactory(responsibility_list__county=world["county"], main_unit="", main_department=None)
    ResponsibilityItemFactory(responsibility_list=item.responsibility_list)
    sync_alerts(timezone.localdate())
    assert [a.subject_id for a in _open("item_no_main_unit")] == [item.pk]


def _tomorrow_at_eight():
    # Ahead of the database's clock, and far from midnight: the day is the same five hours later.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(8)))


def test_a_moved_clock_moves_the_time_limits(world):
    """The application's clock judges the limits, not the database's: five hours on, an urgent call
    (four hours to accept) is overdue, and the run at that moment says so."""
    start = _tomorrow_at_eight()
    with time_machine.travel(start, tick=False):
        call = _raise(world, hours_ago=0)
        sync_alerts(timezone.localdate())
        assert not _open("call_not_accepted").exists()
    with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
        sync_alerts(timezone.localdate())
        assert [a.subject_id for a in _open("call_not_accepted")] == [call.pk]


def test_a_town_run_with_a_moved_clock_finds_the_overdue_call(world):
    """A town's run reuses its statement compiled for the day; the moment is still each run's clock."""
    start = _tomorrow_at_eight()
    with time_machine.travel(start, tick=False):
        call = _raise(world, hours_ago=0)
        sync_alerts(timezone.localdate(), [world["town"].pk])
        assert not _open("call_not_accepted").exists()
    with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
        sync_alerts(timezone.localdate(), [world["town"].pk])
        assert [a.subject_id for a in _open("call_not_accepted")] == [call.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_quarters_calls_of_the_on_time_alert_are_read_from_an_index_alone():
    """The on-time rule reads the calls due to close in the quarter: an eighth of them. Without an index
    on the due time it scanned the whole call table in every full run (17.9 M calls at nation scale);
    the due time, the department and the closing time all come from one index, not the table's rows."""
    (breaches,) = department_breaches(timezone.localdate(), None)
    with connection.cursor() as cursor:
        # The test database holds a handful of calls, for which a scan is cheapest anyway.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {breaches.sql}", with_clock(breaches.params))
        ((plan,),) = cursor.fetchall()
    scans = [n for n, _inner in plan_nodes(plan[0]["Plan"]) if n.get("Relation Name") == Call._meta.db_table]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [("Index Only Scan", "call_close_due")], plan
