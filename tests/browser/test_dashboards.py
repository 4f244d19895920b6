"""A provincial reviewer's dashboards in headless Chromium: overview, drill down, compare, export, print."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_stats():
    """The demo ledger with six months of statistics, so that the trends have a line to draw."""
    from demo.loader import load_demo
    from stats.services import recompute_all

    load_demo()
    today = timezone.localdate().replace(day=1)
    for back in range(5, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        recompute_all(dt.date(index // 12, index % 12 + 1, 1) if back else None)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


def with_strict_csp(route):
    """Serve the dashboards under a Content-Security-Policy without unsafe-inline, as production will."""
    response = route.fetch(max_redirects=0)
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})


def test_reviewer_overview_drill_down_compare_and_export(new_page, demo_stats):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.route("**/dashboard/**", with_strict_csp)
    log_in(page, "shandong_reviewer")
    page.get_by_role("link", name="统计看板").click()
    page.wait_for_url("**/dashboard/region/370000/")
    assert page.get_by_role("heading", level=1).inner_text() == "山东省经济发达镇改革统计看板"
    page.wait_for_selector(".chart.drawn svg")  # ECharts drew the stacked bars from the page's JSON
    chart, drawing = page.locator(".chart.drawn").first, page.locator(".chart.drawn svg").first
    # The drawing fills its box: a chart sized while hidden shrinks to a sliver with overlapping labels.
    assert drawing.bounding_box()["width"] > 0.9 * chart.bounding_box()["width"] > 500
    shot(page, "dashboard-overview")

    # Drill down: province → city → county → town → the powers behind a figure.
    page.locator("table").get_by_role("link", name="东营市", exact=True).first.click()
    page.wait_for_url("**/dashboard/region/370500/**")
    page.locator("table").get_by_role("link", name="广饶县", exact=True).first.click()
    page.wait_for_url("**/dashboard/region/370523/**")
    town_link = page.locator("section.chart-block table tbody th a").first
    town_name = town_link.inner_text()
    town_link.click()
    page.wait_for_url("**/dashboard/town/**")
    assert town_name in page.get_by_role("heading", level=1).inner_text()
    page.locator(".kpi").filter(has_text="下放事项").get_by_role("link").click()
    page.wait_for_url("**/delegation/powers/?town=*")
    assert page.locator("table tbody tr").count() > 0
    assert town_name in page.locator("table tbody tr").first.inner_text()

    # Compare three towns picked from the reviewer's province.
    page.goto("/dashboard/compare/")
    options = page.locator("#pick option")
    labels = [options.nth(i).inner_text() for i in range(3)]
    page.locator("#pick").select_option(label=labels)
    page.get_by_role("button", name="对比", exact=True).click()
    page.wait_for_url("**/dashboard/compare/?*pick=*")
    header = page.locator("table.compare thead").inner_text()
    for label in labels:
        assert label.split("(")[0] in header
    page.wait_for_selector(".chart.drawn svg")
    shot(page, "dashboard-compare")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert next(iter(workbook.active.values))[2:] == tuple(label.split("(")[0] for label in labels)
    assert errors == []


def test_overview_prints_on_a4_landscape_without_navigation(new_page, demo_stats):
    page = new_page()
    log_in(page, "dongying_reviewer")
    page.goto("/dashboard/")
    page.wait_for_selector(".chart.drawn svg")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".period-form").is_visible()
    assert page.locator(".kpis").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    shot(page, "dashboard-overview-print")
