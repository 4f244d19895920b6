"""A region's department ranking equals one counted from the calls, after a full run and after a town's run.

Above a town the ranking is read from the stored year totals per department (``DepartmentYearCalls``);
these tests read it off the dashboard and compare it with the calls counted in Python.
"""

import datetime as dt
import html
import re

import pytest
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from stats.selectors import percent_share
from stats.services import recompute_all, recompute_town
from territory import figures
from territory.models import SUMMED, Call, CallFigure, DepartmentYearCalls
from territory.services import call_accept, call_close, call_evaluate, call_raise, call_respond

# Calls raised hours ago must fall in this month and this year at any hour the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_month")]

ROW = re.compile(r"<tr><td><a [^>]*>(.*?)</a></td>((?:<td class=\"num\">.*?</td>){5})</tr>", re.S)
DONE = (Call.State.CLOSED, Call.State.EVALUATED)


def shown_ranking(client, region):
    """[(department, calls, on-time acceptance, on-time closure, satisfaction, disputes)] as the page shows them."""
    page = client.get(reverse("stats:region", args=[region.code])).content.decode()
    start = page.index('data-testid="department-ranking"')
    table = page[start : page.index("</table>", start)]
    return [
        (html.unescape(name).split(" · ")[-1], *re.findall(r'<td class="num">(.*?)</td>', cells))
        for name, cells in ROW.findall(table)
    ]


def _rate(part, whole):
    rate = percent_share(part, whole)
    return f"{'—' if rate is None else rate}%"


def counted_ranking(region, year):
    """The same rows from the calls of ``year`` raised in ``region``'s towns, best on-time closure first."""
    under = Q(town__county=region) | Q(town__county__parent=region) | Q(town__county__parent__parent=region)
    calls = Call.objects.filter(under, raised_at__year=year)
    by_department = {}
    for call in calls.select_related("department"):
        by_department.setdefault(call.department, []).append(call)
    rows = []
    for department, mine in by_department.items():
        accepted = [c for c in mine if c.accepted_at]
        closed = [c for c in mine if c.state in DONE]
        evaluated = [c for c in mine if c.state == Call.State.EVALUATED]
        on_time = sum(c.closed_at <= c.close_due for c in closed)
        shown = (
            department.name,
            str(len(mine)),
            _rate(sum(c.accepted_at <= c.accept_due for c in accepted), len(accepted)),
            _rate(on_time, len(closed)),
            _rate(sum(c.rating in ("satisfied", "basically") for c in evaluated), len(evaluated)),
            str(sum(c.was_disputed for c in mine)),
        )
        rows.append(((-(on_time / len(closed)) if closed else 0, -len(mine), department.pk), shown))
    return [shown for _key, shown in sorted(rows)]


def _answer(world, call, *, close=True):
    responder = world["housing_responder" if call.department == world["housing"] else "responder"]
    call_accept(user=responder, call=call, at=call.raised_at + dt.timedelta(hours=1))
    if close:
        call_respond(user=responder, call=call, response="已处理", at=call.raised_at + dt.timedelta(hours=1))
        call_close(user=responder, call=call, at=call.raised_at + dt.timedelta(hours=2))
        call_evaluate(user=world["clerk"], call=call, rating="satisfied", comment="")


@pytest.fixture
def calls(world):
    """Three calls of the town, two to the environment bureau (one answered), one to housing, waiting."""
    raised = timezone.now() - dt.timedelta(hours=5)
    made = {}
    for key, department in (("answered", "environment"), ("waiting", "environment"), ("housing", "housing")):
        made[key], _created = call_raise(
            user=world["clerk"], town=world["town"], department=world[department], subject=key, raised_at=raised
        )
    _answer(world, made["answered"])
    recompute_all(triggered_by="test")
    return made


def test_the_ranking_shown_equals_the_calls(client, world, calls):
    client.force_login(world["admin"])
    shown = shown_ranking(client, world["county"].parent)
    assert [row[0] for row in shown] == ["生态环境分局", "住建局"]
    assert shown == counted_ranking(world["county"].parent, timezone.localdate().year)


def test_a_town_run_after_a_call_is_answered_brings_the_ranking_in_step(client, world, calls):
    client.force_login(world["admin"])
    region = world["county"].parent
    before = shown_ranking(client, region)
    _answer(world, calls["housing"])
    _answer(world, calls["waiting"], close=False)
    # Only the town's run, as after an edit: not the nightly one.
    recompute_town(world["town"].pk)
    after = shown_ranking(client, region)
    assert after != before
    assert after == counted_ranking(region, timezone.localdate().year)
    # 住建局 closed its only call on time.
    housing = {row[0]: row for row in after}["住建局"]
    assert housing[3] == "100.0%"
    assert {row[0]: row for row in before}["住建局"][3] == "—%"


def test_each_year_total_is_the_sum_of_its_departments_monthly_rows(world, calls):
    # A call about eleven months back, in this year or the last depending on the month, and a total
    # left over for a department without any call: the full run drops it.
    call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["housing"],
        subject="旧账",
        raised_at=timezone.now() - dt.timedelta(days=330),
    )
    DepartmentYearCalls.objects.create(
        year=timezone.localdate().year, department=world["foreign"], county=world["other_county"], calls=5
    )
    recompute_all(triggered_by="test")
    monthly = (
        CallFigure.objects.filter(town__isnull=True, department__isnull=False)
        .values("period__year", "department_id", "county_id")
        .annotate(**{name: Sum(name) for name in SUMMED})
    )
    expected = {(row.pop("period__year"), row.pop("department_id")): row for row in monthly}
    stored = {
        (row.pop("year"), row.pop("department_id")): row
        for row in DepartmentYearCalls.objects.values("year", "department_id", "county_id", *SUMMED)
    }
    assert len(expected) >= 2
    assert stored == expected
    # Nothing changed since: a town's run of the call figures writes nothing, totals included.
    assert figures.recompute(timezone.localdate().replace(day=1), [world["town"].pk]) == 0
