"""A clerk imports a new edition of a town's catalogue and sees what it adds and withdraws before writing."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from delegation.models import DelegatedPower
from tests.browser.conftest import shot
from tests.browser.test_clerk_flows import XLSX, log_in
from tests.factories import DelegatedPowerFactory, DelegationCatalogueFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editions():
    first = DelegationCatalogueFactory(edition=1, town=None)
    department = DepartmentFactory(county=first.county, name="县市场监管局")
    kept = DelegatedPowerFactory(
        catalogue=first, town__county=first.county, item__name="食品经营许可", item__source_department=department
    )
    DelegatedPowerFactory(
        catalogue=first, town=kept.town, item__name="广告违法处罚", item__source_department=department
    )
    second = DelegationCatalogueFactory(
        county=first.county, town=kept.town, edition=2, issued_on=dt.date(2024, 1, 1), title="2024年调整"
    )
    UserFactory(username="clerk", region=first.county)
    return kept.town, second


def workbook(rows):
    book = Workbook()
    book.active.append(["放权部门", "事项名称", "权力类型", "实施编码", "下放方式"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_edition_import_preview_shows_the_difference(new_page, editions):
    town, second = editions
    page = new_page()
    log_in(page)
    page.goto("/delegation/import/catalogue/")
    page.get_by_label("放权目录").select_option(str(second.pk))
    page.get_by_label("按新版目录导入").check()
    rows = [
        ["县市场监管局", "食品经营许可", "行政许可", "", "直接下放"],
        ["县市场监管局", "药品零售许可", "行政许可", "", "委托"],
    ]
    page.get_by_label("文件(XLSX 或 CSV)").set_input_files(
        {"name": "v2.xlsx", "mimeType": XLSX, "buffer": workbook(rows)}
    )
    page.get_by_role("button", name="上传并预览").click()
    assert "新增 1 项,收回 1 项,下放方式调整 0 项" in page.locator(".edition-diff").inner_text()
    assert "药品零售许可" in page.locator("table.diff-added").inner_text()
    assert "广告违法处罚" in page.locator("table.diff-withdrawn").inner_text()
    shot(page, "edition-import-preview")
    assert not DelegatedPower.objects.filter(withdrawn_on__isnull=False).exists()

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/delegation/powers/**")
    assert DelegatedPower.objects.get(item__name="广告违法处罚").withdrawn_in == second
    page.goto(f"/delegation/towns/{town.pk}/editions/")
    assert "广告违法处罚" in page.locator("table.diff-withdrawn").inner_text()
    shot(page, "town-editions")
