"""Call figures: counts, times to accept and close, on-time, satisfaction, disputes; rebuilt by the engine."""

import datetime as dt

import pytest
from django.utils import timezone

from stats.services import recompute_all
from territory import figures
from territory.models import Call, CallFigure
from territory.services import call_accept, call_close, call_evaluate, call_raise, call_respond

pytestmark = pytest.mark.django_db


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
