"""Call figures: counts, times to accept and close, on-time, satisfaction, disputes; rebuilt by the engine."""

import datetime as dt

import pytest
from django.utils import timezone

from stats.services import recompute_all
from territory import figures
from territory.models import Call, CallFigure, DepartmentYearCalls, RegionCallTimes
from territory.services import (
    call_accept,
    call_arbitrate,
    call_close,
    call_dispute,
    call_evaluate,
    call_raise,
    call_respond,
    call_return,
)

# Calls raised hours ago must fall in this month and this year at any hour the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_month")]


def _answered(world, *, raised_hours_ago, accept_after, close_after, rating="satisfied"):
    raised = timezone.now() - dt.timedelta(hours=raised_hours_ago)
    call, _created = call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        subject="排污",
        urgency="urgent",
        raised_at=raised,
    )
    call_accept(user=world["responder"], call=call, at=raised + dt.timedelta(hours=accept_after))
    call_respond(user=world["responder"], call=call, response="已处理", at=raised + dt.timedelta(hours=accept_after))
    call_close(user=world["responder"], call=call, at=raised + dt.timedelta(hours=close_after))
    call_evaluate(user=world["clerk"], call=call, rating=rating, comment="x")
    return call


def _department_row(world):
    month = timezone.localdate().replace(day=1)
    return CallFigure.objects.get(period=month, department=world["environment"], town__isnull=True)


@pytest.fixture
def three_calls(world):
    # Accepted after 1, 2 and 2.5 hours, closed within 3; the third is rated 不满意 and reopened.
    _answered(world, raised_hours_ago=3, accept_after=1, close_after=2)
    _answered(world, raised_hours_ago=3, accept_after=2, close_after=2.5, rating="basically")
    _answered(world, raised_hours_ago=3, accept_after=2.5, close_after=3, rating="dissatisfied")
    # One more, still waiting.
    call_raise(
        user=world["clerk"], town=world["town"], department=world["environment"], subject="占道", urgency="urgent"
    )


def test_department_figures_count_the_month(world, three_calls):
    figures.recompute(timezone.localdate().replace(day=1))
    row = _department_row(world)
    # The 不满意 call went back to the department: neither closed nor rated any more.
    assert (row.calls, row.accepted, row.closed, row.evaluated) == (4, 3, 2, 2)
    assert (row.satisfied, row.basically, row.dissatisfied) == (1, 1, 0)
    assert Call.objects.filter(reopened=True).count() == 1


def test_median_and_p90_hours_to_accept(world, three_calls):
    figures.recompute(timezone.localdate().replace(day=1))
    row = _department_row(world)
    assert row.accept_hours_median == pytest.approx(2.0, abs=0.01)
    assert row.accept_hours_p90 == pytest.approx(2.4, abs=0.01)


def test_the_nightly_run_writes_town_and_department_rows(world, three_calls):
    recompute_all(triggered_by="test")
    month = timezone.localdate().replace(day=1)
    assert CallFigure.objects.get(period=month, town=world["town"], department__isnull=True).calls == 4
    assert CallFigure.objects.get(period=month, town=world["town"], department=world["environment"]).calls == 4
    assert _department_row(world).accepted_on_time == 3


def test_a_town_run_rebuilds_only_that_towns_rows(world, three_calls):
    month = timezone.localdate().replace(day=1)
    figures.recompute(month)
    call_raise(user=world["neighbour_clerk"], town=world["neighbour"], department=world["environment"], subject="x")
    figures.recompute(month, [world["neighbour"].pk])
    assert CallFigure.objects.get(period=month, town=world["town"], department__isnull=True).calls == 4
    assert CallFigure.objects.get(period=month, town=world["neighbour"], department__isnull=True).calls == 1
    assert _department_row(world).calls == 5


def test_the_town_dashboard_shows_the_department_ranking(client, world, three_calls):
    from django.urls import reverse

    recompute_all(triggered_by="test")
    client.force_login(world["office"])
    page = client.get(reverse("stats:town", args=[world["town"].code])).content.decode()
    assert "部门响应排名" in page
    assert "生态环境分局" in page


def test_the_statistics_api_serves_department_figures_in_scope(world, three_calls):
    from .conftest import client_for

    recompute_all(triggered_by="test")
    body = client_for(world["responder"]).get("/api/v1/call-figures/", {"grain": "department"}).json()
    assert [r["department_name"] for r in body["results"]] == ["生态环境分局"]
    assert body["results"][0]["calls"] == 4
    other = client_for(world["housing_responder"]).get("/api/v1/call-figures/").json()
    assert other["count"] == 0


def test_the_score_form_shows_the_departments_response_record(client, world, three_calls):
    from django.urls import reverse

    from tests.factories import AssessmentSchemeFactory, AssessmentScoreFactory

    recompute_all(triggered_by="test")
    scheme = AssessmentSchemeFactory(region=world["county"])
    score = AssessmentScoreFactory(
        scheme=scheme, town=world["town"], assessed_unit="生态环境分局", year=timezone.localdate().year
    )
    client.force_login(world["office"])
    page = client.get(reverse("reforms:scores_update", args=[score.pk])).content.decode()
    assert "乡呼县应记录" in page
    assert "呼叫 4 件" in page


def test_the_compare_view_sets_the_towns_call_records_side_by_side(client, world, three_calls):
    from django.urls import reverse

    call_raise(user=world["neighbour_clerk"], town=world["neighbour"], department=world["housing"], subject="x")
    recompute_all(triggered_by="test")
    client.force_login(world["office"])
    response = client.get(reverse("stats:compare"), {"pick": [world["town"].code, world["neighbour"].code]})
    table = response.content.decode()
    assert "乡呼县应对比" in table
    assert "按时办结率" in table


def _expected_rows(month):
    """Every call figure of the twelve months up to ``month``, recomputed here from the calls themselves."""
    first = (month.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    groups = {}
    for call in Call.objects.select_related("town"):
        raised = timezone.localtime(call.raised_at).date().replace(day=1)
        if not first <= raised <= month:
            continue
        for town, department in ((call.town_id, call.department_id), (None, call.department_id), (call.town_id, None)):
            groups.setdefault((raised, call.town.county_id, town, department), []).append(call)
    return {key: _figures_of(calls) for key, calls in groups.items()}


def _figures_of(calls):
    done = [c for c in calls if c.state in ("closed", "evaluated")]
    rated = [c.rating for c in calls if c.state == "evaluated"]
    row = {
        "calls": len(calls),
        "accepted": sum(c.accepted_at is not None for c in calls),
        "accepted_on_time": sum(c.accepted_at is not None and c.accepted_at <= c.accept_due for c in calls),
        "closed": len(done),
        "closed_on_time": sum(c.closed_at is not None and c.closed_at <= c.close_due for c in done),
        "evaluated": len(rated),
        "satisfied": rated.count("satisfied"),
        "basically": rated.count("basically"),
        "dissatisfied": rated.count("dissatisfied"),
        "disputes": sum(c.was_disputed for c in calls),
        "unlisted": sum(c.item_id is None for c in calls),
    }
    for name, column in (("accept", "accepted_at"), ("close", "closed_at")):
        hours = sorted((getattr(c, column) - c.raised_at).total_seconds() / 3600 for c in calls if getattr(c, column))
        for label, fraction in (("median", 0.5), ("p90", 0.9)):
            row[f"{name}_hours_{label}"] = _interpolated(hours, fraction) if hours else None
    return row


def _interpolated(values, fraction):
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _stored_rows():
    fields = [*_figures_of([]).keys()]
    return {
        (row.period, row.county_id, row.town_id, row.department_id): {f: getattr(row, f) for f in fields}
        for row in CallFigure.objects.all()
    }


def _assert_same(stored, expected):
    assert stored.keys() == expected.keys()
    for key, row in expected.items():
        assert stored[key] == pytest.approx(row, abs=1e-6), key


@pytest.fixture
def calls_over_two_months(world, three_calls):
    # Last month: two towns' calls to two departments, one answered late, one still waiting.
    _answered(world, raised_hours_ago=24 * 40, accept_after=30, close_after=200, rating="basically")
    call_raise(
        user=world["neighbour_clerk"],
        town=world["neighbour"],
        department=world["housing"],
        subject="危房",
        raised_at=timezone.now() - dt.timedelta(days=38),
    )


def test_the_figures_equal_a_recomputation_from_the_calls(world, calls_over_two_months):
    month = timezone.localdate().replace(day=1)
    CallFigure.objects.create(period=month, county=world["county"], town=world["neighbour"], calls=9)
    written = figures.recompute(month)
    _assert_same(_stored_rows(), _expected_rows(month))
    # The stale row is gone, the others new, with the year's times of the city and the province and
    # each department's year totals; the same calls again write nothing.
    assert RegionCallTimes.objects.filter(year=month.year).count() == 2
    assert written == len(_expected_rows(month)) + 1 + 2 + DepartmentYearCalls.objects.count()
    assert figures.recompute(month) == 0


def test_a_town_run_after_an_edit_equals_a_recomputation_from_the_calls(world, calls_over_two_months):
    month = timezone.localdate().replace(day=1)
    figures.recompute(month)
    waiting = Call.objects.get(subject="占道")
    call_accept(user=world["responder"], call=waiting)
    # The town's row and its row with the department, the department's row and its year total.
    assert figures.recompute(month, [world["town"].pk]) == 3 + 1
    _assert_same(_stored_rows(), _expected_rows(month))
    assert figures.recompute(month, [world["town"].pk]) == 0


def test_a_town_run_after_a_call_is_handed_to_another_department_updates_both_departments(world, three_calls):
    # The town's only call to housing is ruled, on dispute, to be environment's: housing's figures lose it
    # although the town no longer has any call to housing to lead the run there.
    month = timezone.localdate().replace(day=1)
    call, _created = call_raise(user=world["clerk"], town=world["town"], department=world["housing"], subject="危房")
    figures.recompute(month)
    assert CallFigure.objects.get(period=month, department=world["housing"], town__isnull=True).calls == 1
    call_return(user=world["housing_responder"], call=call, reason="不属本局职责")
    call_dispute(user=world["clerk"], call=call, note="清单第 3 项")
    call_arbitrate(
        user=world["office"], call=call, decision="department", ruling="清单第 3 项", department=world["environment"]
    )
    figures.recompute(month, [world["town"].pk])
    _assert_same(_stored_rows(), _expected_rows(month))
    assert not CallFigure.objects.filter(department=world["housing"]).exists()


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(1, 400, "0.3"), (1, 8, "12.5"), (2, 3, "66.7"), (1, 3, "33.3"), (7, 400, "1.8"), (0, 5, "0.0")],
)
def test_call_rates_round_half_up_as_every_other_rate(part, whole, shown):
    """四舍五入 as the statistics' shares: 1 of 400 on time is 0.25% and shows 0.3, not 0.2."""
    from decimal import Decimal

    from stats.selectors import percent_share
    from territory.selectors import with_rates

    row = {"calls": whole, "accepted": whole, "accepted_on_time": part, "closed": whole, "closed_on_time": part}
    rates = with_rates({**row, "evaluated": whole, "satisfied": part, "basically": 0})

    assert str(rates["on_time_rate"]) == shown
    same = percent_share(part, whole)
    assert rates["on_time_rate"] == rates["accept_on_time_rate"] == rates["satisfaction_rate"] == same
    assert rates["closure_rate"] == Decimal("100.0")


def test_a_call_half_an_hour_into_the_year_counts_among_that_years_items(world):
    """The year starts at local midnight, eight hours before UTC's: a call at 00:30 on 1 January is the year's."""
    from territory.models import ItemYearCalls
    from tests.factories import ResponsibilityItemFactory

    item = ResponsibilityItemFactory(responsibility_list__county=world["county"], name="河道非法倾倒")
    year = timezone.localdate().year
    raised = timezone.make_aware(dt.datetime.combine(dt.date(year, 1, 1), dt.time(0, 30)))
    clerk, town, department = world["clerk"], world["town"], world["environment"]
    call_raise(user=clerk, town=town, department=department, item=item, subject="倾倒", raised_at=raised)
    figures.recompute_years([year - 1, year])
    assert list(ItemYearCalls.objects.values_list("year", "calls")) == [(year, 1)]
