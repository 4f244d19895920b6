"""Call figures on the region and town dashboards: reachable at any month, even in a town without powers."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stats.services import recompute_all
from territory.models import Call, ItemYearCalls, RegionCallTimes
from territory.services import call_accept, call_close, call_evaluate, call_raise, call_respond
from tests.factories import DepartmentFactory, ResponsibilityItemFactory, TownFactory

# Calls raised hours ago must fall in this month and this year at any hour the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_month")]


def _month(day):
    return day.replace(day=1)


def test_a_town_without_delegated_powers_has_its_call_months_on_the_dashboard(client, world):
    """Its months come from every strand's figures, the calls' included, not the powers' alone."""
    call_raise(user=world["clerk"], town=world["town"], department=world["environment"], subject="河道排污")
    recompute_all(triggered_by="test")
    client.force_login(world["office"])
    month = _month(timezone.localdate())
    for url in (reverse("stats:town", args=[world["town"].code]), reverse("stats:region", args=[world["county"].code])):
        response = client.get(url)
        assert response.context["period"] == month, url
        assert f'value="{month:%Y-%m}" selected' in response.content.decode()


def test_a_region_lists_the_months_of_its_own_calls_and_not_anothers(client, world):
    """A past month with calls but no other figures is on the county's page; another county's is not."""
    this_month = _month(timezone.localdate())
    ours, theirs = _month(this_month - dt.timedelta(days=40)), _month(this_month - dt.timedelta(days=100))
    elsewhere = TownFactory(county=world["other_county"], name="古云镇")
    raised = {ours: (world["town"], world["environment"]), theirs: (elsewhere, world["foreign"])}
    for month, (town, department) in raised.items():
        at = timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(9)))
        call_raise(user=world["admin"], town=town, department=department, subject="河道排污", raised_at=at)
    recompute_all(triggered_by="test")
    client.force_login(world["admin"])
    for region, shown, hidden in ((world["county"], ours, theirs), (world["other_county"], theirs, ours)):
        page = client.get(reverse("stats:region", args=[region.code])).content.decode()
        assert f'value="{shown:%Y-%m}"' in page, region.name
        assert f'value="{hidden:%Y-%m}"' not in page, region.name


def _answered_call(world, item, *, accept_after, close_after):
    raised = timezone.now() - dt.timedelta(hours=10)
    call, _created = call_raise(
        user=world["clerk"],
        town=world["town"],
        department=world["environment"],
        item=item,
        subject=f"{item.name}:现场处置",
        urgency="urgent",
        raised_at=raised,
    )
    call_accept(user=world["responder"], call=call, at=raised + dt.timedelta(hours=accept_after))
    call_respond(user=world["responder"], call=call, response="已处理", at=raised + dt.timedelta(hours=accept_after))
    call_close(user=world["responder"], call=call, at=raised + dt.timedelta(hours=close_after))
    call_evaluate(user=world["clerk"], call=call, rating="satisfied", comment="")
    return call


@pytest.fixture
def called(world):
    dumping = ResponsibilityItemFactory(responsibility_list__county=world["county"], name="河道非法倾倒")
    quiet = ResponsibilityItemFactory(responsibility_list=dumping.responsibility_list, number=2, name="违规搭建")
    _answered_call(world, dumping, accept_after=1, close_after=3)
    _answered_call(world, dumping, accept_after=2, close_after=6)
    recompute_all(triggered_by="test")
    return {"dumping": dumping, "quiet": quiet}


def _section(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def _text(markup):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _part(page, testid, end="</table>"):
    """The markup from the element marked ``testid`` to the next ``end``."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index(end, start) + len(end)]


def _href(markup):
    return html.unescape(re.search(r'href="([^"]+)"', markup).group(1))


@pytest.mark.parametrize("kind", ["town", "region"])
def test_the_dashboards_show_the_call_times_rates_and_items_each_linked(client, world, called, kind):
    client.force_login(world["office"])
    code = world["town"].code if kind == "town" else world["county"].code
    page = _section(client, reverse(f"stats:{kind}", args=[code]))
    times = _text(_part(page, "call-times"))
    # Accepted after 1 and 2 hours, closed after 3 and 6: medians 1.5 and 4.5, 90th percentiles 1.9 and 5.7.
    assert "受理用时 1.5 1.9" in times
    assert "办结用时 4.5 5.7" in times
    assert _text(_part(page, "call-on-time", "</span>")).endswith("100.0%")
    assert _text(_part(page, "call-satisfaction", "</span>")).endswith("100.0%")

    items = _part(page, "item-calls")
    assert "违规搭建" not in items
    row = next(tr for tr in items.split("<tr>") if "河道非法倾倒" in tr)
    assert _text(row).endswith("2")
    calls_page = _section(client, _href(row))
    assert calls_page.count("河道非法倾倒:现场处置") == 2

    never = _part(page, "items-never-called", "</a>")
    assert _text(never).endswith("1")
    items_page = _section(client, _href(page[page.rindex("<a", 0, page.index('data-testid="items-never-called"')) :]))
    assert "违规搭建" in items_page
    assert "河道非法倾倒" not in items_page


@pytest.mark.parametrize("level", ["city", "province"])
def test_a_city_and_a_province_show_what_the_nightly_run_stored(client, world, called, level):
    """Above a county a year holds too many calls to read on each view: the page reads stored figures."""
    region = world["county"].parent if level == "city" else world["county"].parent.parent
    client.force_login(world["admin"])
    with CaptureQueriesContext(connection) as queries:
        page = _section(client, reverse("stats:region", args=[region.code]))
    assert "受理用时 1.5 1.9" in _text(_part(page, "call-times"))
    assert "办结用时 4.5 5.7" in _text(_part(page, "call-times"))
    assert "每晚" in _text(_part(page, "call-times-note", "</p>"))
    row = next(tr for tr in _part(page, "item-calls").split("<tr>") if "河道非法倾倒" in tr)
    assert _text(row).endswith("2")
    assert _text(_part(page, "items-never-called", "</a>")).endswith("1")
    calls_table = connection.ops.quote_name(Call._meta.db_table)
    assert [q["sql"] for q in queries if calls_table in q["sql"]] == []


def test_the_stored_times_follow_the_calls_at_the_next_full_run(world, called):
    city = world["county"].parent
    _answered_call(world, called["dumping"], accept_after=8, close_after=9)
    recompute_all(triggered_by="test")
    stored = RegionCallTimes.objects.get(region=city, year=timezone.localdate().year)
    assert stored.calls == 3
    assert (stored.accept_hours_median, stored.close_hours_median) == (pytest.approx(2.0), pytest.approx(6.0))
    assert ItemYearCalls.objects.get(item=called["dumping"], year=stored.year).calls == 3
    assert recompute_all(triggered_by="test").rows_written == 0  # unchanged calls: nothing rewritten


@pytest.mark.parametrize("level", ["county", "city"])
def test_a_year_without_calls_still_shows_the_items_never_called(client, world, called, level):
    """The section stays, saying so, rather than vanishing from a year when no town called; above a
    county the count is the one the full run stored for the year."""
    Call.objects.update(raised_at=timezone.now() - dt.timedelta(days=800))
    recompute_all(triggered_by="test")
    client.force_login(world["admin"])
    region = world["county"] if level == "county" else world["county"].parent
    page = _section(client, reverse("stats:region", args=[region.code]))
    assert "本年没有呼叫" in _text(_part(page, "no-calls", "</p>"))
    assert _text(_part(page, "items-never-called", "</a>")).endswith("2")


def test_two_towns_without_delegated_powers_can_be_compared(client, world):
    call_raise(user=world["clerk"], town=world["town"], department=world["environment"], subject="河道排污")
    recompute_all(triggered_by="test")
    client.force_login(world["office"])
    codes = [world["town"].code, world["neighbour"].code]
    response = client.get(reverse("stats:compare"), {"kind": "town", "pick": codes})
    assert response.context["period"] == _month(timezone.localdate())


def test_a_long_department_ranking_shows_its_best_and_worst_and_says_how_many_are_left_out(
    client, world, called, monkeypatch
):
    """A province has over a thousand departments: the ranking lists the ends, not every one."""
    from territory.templatetags import calls as tags

    other = DepartmentFactory(county=world["county"], name="应急管理局")
    call_raise(user=world["clerk"], town=world["town"], department=world["housing"], subject="危房")
    call_raise(user=world["clerk"], town=world["town"], department=other, subject="隐患")
    recompute_all(triggered_by="test")
    monkeypatch.setattr(tags, "RANKING_ENDS", 1)
    client.force_login(world["admin"])
    page = _section(client, reverse("stats:region", args=[world["county"].parent.code]))
    ranking = _part(page, "department-ranking")
    # 生态环境分局 closed both its calls on time; the other two have closed none.
    assert "生态环境分局" in ranking
    assert ranking.count("<tr><td>") == 2
    assert "另有 1 个部门未列出" in _text(_part(page, "ranking-left-out", "</tr>"))
    assert f"{world['county'].name} · 生态环境分局" in _text(ranking)
