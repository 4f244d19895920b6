"""Issue 14 item 3: the figures reviewers read on the dashboards are the documents' and the ledger's own."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import User
from reforms.models import AssessmentScheme
from stats.models import Alert, Metric
from stats.selectors import add_rates
from stats.services import recompute_all

pytestmark = pytest.mark.django_db

GUANGTONG = "532311102000"
WANYUAN = "511781101000"
DAZHOU = "511700"
SICHUAN = "510000"
YANDIAN = "371581109000"


def client_for(username="admin"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client


def details(html):
    """{label: text} of the dashboard's detail table (四条线明细)."""
    table = html.split('class="table compact details"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(.*?)</td>', table, re.S)
    return {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in rows}


def town_page(code):
    return client_for().get(f"/dashboard/town/{code}/").content.decode()


def test_guangtong_approved_headcount_is_108_with_11_leadership_posts_its_own_figure(demo):
    figures = details(town_page(GUANGTONG))
    assert figures["核定编制"] == "108"
    assert figures["领导职数"] == "11"


def test_dazhou_town_headcount_control_number_is_its_own_figure_never_added_to_posts(demo):
    figures = details(town_page(WANYUAN))
    assert figures["核定编制"] == "40"
    assert figures["员额控制数"] == "40"


def test_fill_rate_without_filled_posts_data_is_a_dash_with_a_note_not_zero(demo):
    html = town_page(WANYUAN)
    assert details(html)["编制使用率"] == "—"
    assert "无实有人数数据" in html


def test_composite_scores_are_exact_to_the_decimal(demo):
    assert details(town_page(WANYUAN))["平均综合得分"] == "86.7"
    region = client_for().get(f"/dashboard/region/{DAZHOU}/").content.decode()
    assert details(region)["平均综合得分"] == "81.6"


def test_a_town_without_scores_has_a_score_count_of_zero_in_the_api(demo):
    client = client_for()
    response = client.get("/api/v1/stats/figures/", {"town": YANDIAN, "metric": Metric.SCORE_COUNT})
    values = [row["value"] for row in response.json()["results"] if row["scope_kind"] == "town"]
    assert values == [0]


def test_region_open_alerts_count_county_level_alerts_and_equal_the_alerts_board(demo):
    scheme = AssessmentScheme.objects.filter(region__code__startswith="5117").first()
    AssessmentScheme.objects.filter(pk=scheme.pk).update(min_town_weight=Decimal("90"))
    recompute_all()
    assert Alert.objects.filter(is_open=True, town__isnull=True).exists()
    client = client_for("sichuan_reviewer")
    board = client.get("/dashboard/alerts/", {"region": DAZHOU}).content.decode()
    on_board = int(re.search(r"未关闭预警 (\d+) 条", board).group(1))
    region = client.get(f"/dashboard/region/{DAZHOU}/").content.decode()
    assert details(region)["未关闭预警"] == str(on_board)
    assert on_board >= 1


def test_a_province_page_counts_county_level_alerts_in_its_cities_and_trend_from_one_read(demo):
    """The details, the city's row and the trend's month agree with the alerts board; the page reads
    the alerts with no town once, not once for each of the three."""
    scheme = AssessmentScheme.objects.filter(region__code__startswith="5117").first()
    AssessmentScheme.objects.filter(pk=scheme.pk).update(min_town_weight=Decimal("90"))
    recompute_all()
    client = client_for("sichuan_reviewer")
    board = client.get("/dashboard/alerts/", {"region": DAZHOU}).content.decode()
    in_dazhou = int(re.search(r"未关闭预警 (\d+) 条", board).group(1))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/dashboard/region/{SICHUAN}/")
    dazhou = next(child for child in response.context["children"] if child["scope"].code == DAZHOU)
    assert dazhou[Metric.OPEN_ALERTS] == in_dazhou
    html = response.content.decode()
    month = response.context["trend"][-1]
    assert month["period"] == response.context["period"]
    assert details(html)["未关闭预警"] == f"{month[Metric.OPEN_ALERTS]:.0f}"
    reads = [q["sql"] for q in queries.captured_queries if '"stats_alert"."town_id" IS NULL' in q["sql"]]
    assert len(reads) == 1, reads


def test_rounding_is_half_up_for_cases_per_power_and_shares():
    rates = add_rates({"town_cases": 77, "delegated": 8, "taken_over": 8, "running": 1})
    assert rates["cases_per_power"] == Decimal("9.63")  # 9.625
    assert rates["running_rate"] == Decimal("12.5")
    assert add_rates({"running": 1, "delegated": 16})["running_share"] == Decimal("6.3")  # 6.25
