"""Dashboards on the demo data: figures match the ledger rows they link to, scope, compare, alerts, export."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from core.models import User
from delegation.models import DelegatedPower
from reforms.models import Town
from stats.models import Alert, Figure

pytestmark = pytest.mark.django_db

DONGYING = "370500"
GUANGRAO = "370523"
SHANDONG = "370000"
SICHUAN = "510000"
YANDIAN = "371581109000"


def client_for(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client


def links(html):
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def listed_count(client, url):
    """The "共 N 条" a ledger list shows for ``url``."""
    html = client.get(url).content.decode()
    return int(re.search(r"共 (\d+) 条", html).group(1))


def test_dongying_overview_shows_the_split_and_every_number_links_to_its_rows(demo):
    client = client_for("dongying_reviewer")
    response = client.get("/dashboard/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/dashboard/region/{DONGYING}/"
    assert "东营市经济发达镇改革统计看板" in html
    power_links = [u for u in links(html) if u.startswith("/delegation/powers/?region=370500")]
    by_state = {re.search(r"derived_state=(\w+)", u).group(1): u for u in power_links if "derived_state" in u}
    # The documents' split (401 delegated: 179 running, 155 unused, 67 not taken over), row for row.
    assert {state: listed_count(client, url) for state, url in by_state.items()} == {
        "running": 179,
        "unused": 155,
        "not_taken_over": 67,
    }
    assert listed_count(client, "/delegation/powers/?region=370500") == 401
    assert 'id="split-data"' in html
    assert 'data-chart="stacked"' in html
    # Child counties are linked for drill down, and the chart data is JSON, not inline script.
    assert f"/dashboard/region/{GUANGRAO}/" in html
    assert "<script>" not in html
    assert "style=" not in html
    assert " onclick=" not in html


def test_drill_down_from_province_to_town(demo):
    client = client_for("shandong_reviewer")
    province = client.get(f"/dashboard/region/{SHANDONG}/").content.decode()
    assert f"/dashboard/region/{DONGYING}/" in province
    city = client.get(f"/dashboard/region/{DONGYING}/").content.decode()
    assert f"/dashboard/region/{GUANGRAO}/" in city
    county = client.get(f"/dashboard/region/{GUANGRAO}/").content.decode()
    town = Town.objects.filter(county__code=GUANGRAO).order_by("code").first()
    assert f"/dashboard/town/{town.code}/" in county
    page = client.get(f"/dashboard/town/{town.code}/").content.decode()
    assert town.name in page
    delegated_link = next(u for u in links(page) if u == f"/delegation/powers/?town={town.code}")
    assert listed_count(client, delegated_link) == DelegatedPower.objects.filter(town=town).count()
    # The trail leads back up to the province.
    assert f'href="/dashboard/region/{SHANDONG}/' in page


def test_out_of_scope_regions_and_towns_are_404(demo):
    client = client_for("dongying_reviewer")
    assert client.get(f"/dashboard/region/{SICHUAN}/").status_code == 404
    assert client.get(f"/dashboard/region/{SHANDONG}/").status_code == 404  # above the reviewer's city
    assert client.get(f"/dashboard/town/{YANDIAN}/").status_code == 404  # Liaocheng's town
    assert client.get(f"/dashboard/region/{SICHUAN}/export.xlsx").status_code == 404


def test_county_editor_sees_their_own_county_dashboard_only(demo):
    client = client_for("guangrao_editor")
    response = client.get("/dashboard/", follow=True)
    assert response.redirect_chain[-1][0] == f"/dashboard/region/{GUANGRAO}/"
    assert "广饶县" in response.content.decode()
    assert client.get(f"/dashboard/region/{DONGYING}/").status_code == 404


def test_unknown_period_falls_back_to_the_latest_month_with_a_message(demo):
    html = client_for("dongying_reviewer").get(f"/dashboard/region/{DONGYING}/?period=1999-13").content.decode()
    assert "统计月份“1999-13”无效或尚未统计" in html


def test_compare_three_towns_side_by_side(demo):
    client = client_for("shandong_reviewer")
    towns = list(Town.objects.filter(county__parent__code=DONGYING).order_by("code")[:3])
    query = "&".join(f"pick={t.code}" for t in towns)
    html = client.get(f"/dashboard/compare/?kind=town&{query}").content.decode()
    header = re.search(r"<thead>(.*?)</thead>", html.split("四条线对比")[1], re.S).group(1)
    assert [t.name for t in towns] == re.findall(r">([^<>]+)</a></th>", header)
    for t in towns:
        assert f"/delegation/powers/?town={t.code}&amp;derived_state=running" in html
    workbook = load_workbook(io.BytesIO(client.get(f"/dashboard/compare/export.xlsx?kind=town&{query}").content))
    rows = list(workbook.active.values)
    assert rows[0][2:] == tuple(t.name for t in towns)
    delegated = next(r for r in rows if r[0] == "下放事项")
    assert list(delegated[2:]) == [DelegatedPower.objects.filter(town=t).count() for t in towns]


def test_compare_needs_two_to_ten_in_scope(demo):
    client = client_for("dongying_reviewer")
    one = Town.objects.filter(county__parent__code=DONGYING).first()
    assert "请选择 2 至 10 个进行对比(已选 1 个)" in client.get(f"/dashboard/compare/?pick={one.code}").content.decode()
    assert client.get(f"/dashboard/compare/?pick={one.code}&pick={YANDIAN}").status_code == 404
    counties = client.get("/dashboard/compare/?kind=county").content.decode()
    assert 'value="370523"' in counties
    assert 'value="371581"' not in counties


def test_alerts_board_counts_filters_and_links_to_records(demo):
    client = client_for("shandong_reviewer")
    open_alerts = Alert.objects.filter(is_open=True, region__parent__parent__code=SHANDONG)
    assert open_alerts.exists()
    html = client.get("/dashboard/alerts/").content.decode()
    assert f"未关闭预警 {open_alerts.count()} 条" in html
    rule = open_alerts.first().rule
    filtered = client.get(f"/dashboard/alerts/?rule={rule}").content.decode()
    assert f"未关闭预警 {open_alerts.filter(rule=rule).count()} 条" in filtered
    record = next(
        u for u in links(filtered) if re.match(r"^/(delegation|staffing|finance|towns|territory)/[\w-]+/\d+/$", u)
    )
    assert client.get(record).status_code == 200
    workbook = load_workbook(io.BytesIO(client.get(f"/dashboard/alerts/export.xlsx?rule={rule}").content))
    assert len(list(workbook.active.values)) == open_alerts.filter(rule=rule).count() + 1


def test_overview_export_holds_every_sheet_with_the_page_figures(demo):
    client = client_for("dongying_reviewer")
    response = client.get(f"/dashboard/region/{DONGYING}/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 4
    overall = {row[0]: row[2] for row in workbook.worksheets[0].values}
    assert (overall["下放事项"], overall["正常运行"], overall["暂未使用"], overall["未承接到位"]) == (401, 179, 155, 67)
    counties = list(workbook.worksheets[1].values)
    assert sum(r[2] for r in counties[1:]) == 401


def test_derived_state_filter_on_the_power_list_matches_the_selector(demo):
    from delegation.selectors import derived_state_counts

    client = client_for("guangrao_editor")
    expected = derived_state_counts(DelegatedPower.objects.filter(town__county__code=GUANGRAO))
    for state, count in expected.items():
        assert listed_count(client, f"/delegation/powers/?derived_state={state}") == count
    html = client.get("/delegation/powers/?derived_state=flying").content.decode()
    assert "共 0 条" in html
    assert "flying" in html


def test_compare_export_without_a_valid_choice_returns_to_the_picker(demo):
    client = client_for("dongying_reviewer")
    one = Town.objects.filter(county__parent__code=DONGYING).first()
    response = client.get(f"/dashboard/compare/export.xlsx?pick={one.code}")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/compare/?pick={one.code}"


def test_without_echarts_the_page_keeps_its_tables_and_says_why(demo, monkeypatch):
    monkeypatch.setattr("stats.dashboards.echarts_available", lambda: False)
    html = client_for("dongying_reviewer").get(f"/dashboard/region/{DONGYING}/").content.decode()
    assert "图表库(ECharts)未安装:以下仅以表格显示" in html
    assert "vendor/echarts" not in html
    assert '<a href="/dashboard/region/370523/' in html  # the split per county is still there, as a table


def test_impossible_day_of_a_computed_month_is_not_read_as_that_month(demo):
    latest = Figure.objects.order_by("-period").values_list("period", flat=True).first()
    client = client_for("dongying_reviewer")
    html = client.get(f"/dashboard/region/{DONGYING}/", {"period": f"{latest:%Y-%m}-32"}).content.decode()
    assert f"统计月份“{latest:%Y-%m}-32”无效或尚未统计" in html
