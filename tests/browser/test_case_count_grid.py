"""A county clerk types a year of case counts by keyboard in the grid, and round-trips the town's template."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from delegation.models import MonthlyCaseCount
from tests.browser.conftest import shot
from tests.browser.test_clerk_flows import XLSX, log_in
from tests.factories import (
    DelegatedPowerFactory,
    DelegationCatalogueFactory,
    DepartmentFactory,
    OrganFactory,
    TownFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2025


@pytest.fixture
def powers():
    town = TownFactory(name="王庄镇")
    catalogue = DelegationCatalogueFactory(county=town.county, town=None)
    department = DepartmentFactory(county=town.county)
    organ = OrganFactory(town=town)
    made = [
        DelegatedPowerFactory(
            town=town,
            catalogue=catalogue,
            receiving_organ=organ,
            item__name=name,
            item__implementation_code=code,
            item__source_department=department,
        )
        for name, code in (("食品经营许可", "IMP-A"), ("广告违法处罚", "IMP-B"))
    ]
    UserFactory(username="clerk", region=town.county)
    return made


def test_a_year_of_counts_typed_by_keyboard(new_page, powers):
    first, second = powers
    page = new_page()
    log_in(page)
    page.goto(f"/towns/town/{first.town.pk}/")
    page.get_by_role("link", name="办件量录入表(镇办理)").click()
    page.goto(f"{page.url}?year={YEAR}")
    cell = page.get_by_label("食品经营许可 1月 受理件数", exact=True)
    cell.click()
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # down: the same month's closed count, not a submit
    page.keyboard.type("10")
    page.keyboard.press("ArrowRight")  # the next month, the same field (closed)
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # down from the lower field: the next power's upper field
    page.keyboard.type("7")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "广告违法处罚 2月 受理件数"
    page.keyboard.press("Tab")  # Tab goes across: the same month's closed count
    page.keyboard.type("-1")
    page.get_by_role("button", name="保存").click()
    # The bad row is refused at its cell and keeps what was typed; the other row is saved.
    refused = page.locator("td.cell-refused")
    assert "办结件数:不能为负数。" in refused.inner_text()
    assert page.get_by_label("广告违法处罚 2月 受理件数", exact=True).input_value() == "7"
    shot(page, "case-count-grid-refused")
    saved = MonthlyCaseCount.objects.filter(power=first).order_by("month")
    assert [(r.month.month, r.accepted, r.closed) for r in saved] == [(1, 12, 10), (2, 0, 3)]
    assert not MonthlyCaseCount.objects.filter(power=second).exists()

    page.get_by_label("广告违法处罚 2月 办结件数", exact=True).fill("5")
    page.get_by_role("button", name="保存").click()
    assert "已保存 1 行。" in page.locator(".messages").inner_text()
    assert MonthlyCaseCount.objects.get(power=second).accepted == 7


def test_the_town_template_round_trip(new_page, powers):
    first = powers[0]
    page = new_page()
    log_in(page)
    page.goto("/delegation/import/case-counts/")
    page.get_by_label("或下载某镇的模板", exact=False).select_option(first.town.code)
    page.get_by_label("年度").fill(str(YEAR))
    with page.expect_download() as download:
        page.get_by_role("button", name="下载该镇模板").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(headers, row, strict=False))
        if values["实施编码"].value == "IMP-A" and values["月份"].value == f"{YEAR}-03":
            values["受理件数"].value, values["办结件数"].value = 9, 8
    buffer = io.BytesIO()
    book.save(buffer)
    page.get_by_label("文件(XLSX 或 CSV)").set_input_files(
        {"name": "filled.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("table.import-rows")
    assert "将新增 1 条" in page.locator(".ok-badge").inner_text()
    assert "食品经营许可 · 2025年3月" in preview.inner_text()
    assert "新增" in page.locator("tr.import-new").inner_text()
    shot(page, "case-count-template-preview")
    assert not MonthlyCaseCount.objects.exists()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/delegation/case-counts/**")
    assert "导入完成:新增 1 条" in page.locator(".messages").inner_text()
    assert "食品经营许可" in page.locator("table").inner_text()
    row = MonthlyCaseCount.objects.get()
    assert (row.power_id, row.month, row.accepted, row.closed) == (first.pk, dt.date(YEAR, 3, 1), 9, 8)
