"""Issue 14 item 1: statistics for every month from the reform start, any month or year on the pages."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import User
from delegation.models import DelegatedPower
from reforms.models import ProgrammeMembership, ReformTask
from stats import services
from stats.models import Alert, Figure, PowerFigure, RecomputeRun

pytestmark = pytest.mark.django_db

DONGYING = "370500"
JINING = "370800"


def client_for(username="dongying_reviewer"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client


def region_page(query=""):
    return client_for().get(f"/dashboard/region/{DONGYING}/{query}").content.decode()


def details(html):
    table = html.split('class="table compact details"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    return {label: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for label, r in rows}  # fmt: skip


def delegated_in_dongying_by(day):
    """Independent of the statistics: the ledger's powers of Dongying's towns delegated by ``day``."""
    return DelegatedPower.objects.filter(town__county__parent__code=DONGYING, delegated_on__lte=day).count()


def months(first, last):
    out, month = [], first
    while month <= last:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def test_the_demo_holds_every_month_from_the_earliest_reform_start_to_this_month(demo):
    start = ProgrammeMembership.objects.order_by("joined_on").first().joined_on.replace(day=1)
    expected = months(start, timezone.localdate().replace(day=1))
    html = region_page()
    options = re.findall(r'<option value="(\d{4}-\d{2})"', html)
    assert sorted(options) == [f"{m:%Y-%m}" for m in expected]
    trend = html.split("月度趋势", 1)[1]
    assert f"<td>{start.year}年{start.month}月</td>" in trend  # the trend table starts at the reform start


def test_a_past_month_shows_the_figures_of_that_month(demo):
    figures = details(region_page("?period=2016-06"))
    assert figures["下放事项"][0] == str(delegated_in_dongying_by(dt.date(2016, 6, 30)))
    assert "统计月份:2016年6月" in region_page("?period=2016-06")


def test_a_year_shows_its_year_end_figures(demo):
    html = region_page("?year=2020")
    assert "统计月份:2020年12月" in html
    assert details(html)["下放事项"][0] == str(delegated_in_dongying_by(dt.date(2020, 12, 31)))


def test_the_details_show_the_change_over_the_same_month_a_year_before(demo):
    html = region_page("?period=2015-01")
    change = delegated_in_dongying_by(dt.date(2015, 1, 31)) - delegated_in_dongying_by(dt.date(2014, 1, 31))
    assert "同比" in html
    assert details(html)["下放事项"][1] == f"{change:+,}"


@pytest.mark.parametrize(("region", "username"), [(DONGYING, "dongying_reviewer"), (JINING, "shandong_reviewer")])
def test_the_page_issues_as_many_queries_at_every_period(demo, region, username):
    """Jining's towns have calls this year and none in 2016 or 2020: its call section runs the same queries."""
    client = client_for(username)
    counts = []
    for query in ("", "?period=2016-06", "?year=2020"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/dashboard/region/{region}/{query}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts


@pytest.mark.parametrize(("path", "reads"), [(f"/dashboard/region/{DONGYING}/", 3), ("/dashboard/town/{town}/", 2)])
def test_a_page_reads_its_scopes_months_once_for_its_months_figures_and_trend(demo, path, reads):
    """Each read of a scope's months plans every monthly partition of the figure tables: a page reads
    the power figures of its scope once for its months, its month, the year before and its trend, once
    for the split of its month and, on a region's page, once for its child regions."""
    town = DelegatedPower.objects.filter(town__county__parent__code=DONGYING).values_list("town__code", flat=True)[0]
    client = client_for()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path.format(town=town) + "?period=2016-06")
    assert response.status_code == 200
    assert '<option value="2016-06" selected' in response.content.decode()
    table = f'"{PowerFigure._meta.db_table}"'
    assert len([q["sql"] for q in ctx.captured_queries if table in q["sql"]]) == reads


def test_the_api_takes_a_month_and_a_year(demo):
    client = client_for()
    url = "/api/v1/stats/power-figures/summary/"
    month = client.get(url, {"scope_kind": "city", "region": DONGYING, "period": "2016-06"}).json()
    assert (month["period"], month["delegated"]) == ("2016-06-01", delegated_in_dongying_by(dt.date(2016, 6, 30)))
    year = client.get(url, {"scope_kind": "city", "region": DONGYING, "year": "2020"}).json()
    assert year["period"] == "2020-12-01"


def test_a_backfill_writes_figures_only_and_leaves_the_alerts_as_they_were(demo):
    overdue = Alert.objects.filter(is_open=True, rule="task_overdue").first()
    ReformTask.objects.filter(pk=overdue.subject_id).update(
        status=ReformTask.Status.DONE, completed_on=timezone.localdate()
    )
    PowerFigure.objects.filter(period__range=("2020-01-01", "2020-03-01")).delete()
    Figure.objects.filter(period__range=("2020-01-01", "2020-03-01")).delete()
    alerts = list(Alert.objects.values_list("pk", "is_open", "closed_at").order_by("pk"))
    call_command("recompute_stats", "--from", "2020-01", "--to", "2020-03", stdout=open("/dev/null", "w"))  # noqa: SIM115
    periods = set(PowerFigure.objects.filter(period__year=2020, period__month__lte=3).values_list("period", flat=True))
    assert periods == {dt.date(2020, 1, 1), dt.date(2020, 2, 1), dt.date(2020, 3, 1)}
    assert list(Alert.objects.values_list("pk", "is_open", "closed_at").order_by("pk")) == alerts


def test_the_nightly_run_closes_the_month_that_ended_and_computes_the_current_one(demo):
    today = timezone.localdate()
    following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    services.recompute_nightly(today=following)
    month_end = following - dt.timedelta(days=1)
    closing = RecomputeRun.objects.filter(as_of=month_end, outcome=RecomputeRun.Outcome.SUCCESS)
    assert closing.exists()
    assert PowerFigure.objects.filter(period=following).exists()


def test_the_export_takes_a_year_and_holds_that_year_ends_figures(demo):
    import io

    from openpyxl import load_workbook

    response = client_for().get(f"/dashboard/region/{DONGYING}/export.xlsx", {"year": "2020"})
    assert "2020-12-01" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    delegated = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "下放事项")
    assert delegated[2] == delegated_in_dongying_by(dt.date(2020, 12, 31))


@pytest.mark.parametrize("year", ["0", "1999", "2100", "99999"])
def test_a_year_out_of_the_ledgers_range_is_refused_naming_the_year(year):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.create_user(username="admin_any", password="x", role=User.Role.SYSTEM_ADMIN))
    response = client.get("/api/v1/stats/figures/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]
