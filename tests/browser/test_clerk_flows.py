"""What a county clerk does in the browser, end to end, in headless Chromium."""

import io

import pytest
from openpyxl import Workbook

from delegation.models import DelegatedPower
from tests.browser.conftest import shot
from tests.factories import DelegatedPowerFactory, DelegationCatalogueFactory, OrganFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def power():
    power = DelegatedPowerFactory(take_over_status="pending", take_over_on=None, item__name="食品经营许可")
    OrganFactory(town=power.town, name="综合执法办公室")
    return power


@pytest.fixture
def clerk(power):
    return UserFactory(username="clerk", first_name="王", last_name="", region=power.town.county)


def log_in(page, username="clerk"):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-for-tests")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_log_in_and_see_my_towns(new_page, clerk, power):
    page = new_page()
    log_in(page)
    row = page.get_by_role("row", name=power.town.name)
    assert row.is_visible()
    assert "1" in row.inner_text()
    shot(page, "home")


def test_change_take_over_status(new_page, clerk, power):
    page = new_page()
    log_in(page)
    page.goto(f"/delegation/powers/{power.pk}/edit/")
    page.get_by_label("承接状态").select_option("not_taken_over")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".has-error", has=page.get_by_label("未承接原因", exact=True))
    assert "未承接到位的事项必须选择原因。" in error.inner_text()
    shot(page, "power-form-error")
    page.get_by_label("承接状态").select_option("taken_over")
    page.get_by_label("承接日期").fill("2019-06-01")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".has-error", has=page.get_by_label("承接机构"))
    assert "已承接的事项必须选择承接机构" in error.inner_text()
    # The organ is picked in the searchable picker, as a clerk does: open it, type, choose.
    page.locator(".ts-wrapper", has=page.locator("#id_receiving_organ-ts-control")).locator(".ts-control").click()
    page.locator("#id_receiving_organ-ts-control").press_sequentially("综合")
    page.locator("#id_receiving_organ-ts-dropdown .option", has_text="综合执法办公室").click()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/delegation/powers/{power.pk}/")
    history = page.locator("#history")
    assert "已承接" in history.inner_text()
    assert "待承接" in history.inner_text()
    shot(page, "power-detail-history")
    power.refresh_from_db()
    assert power.take_over_status == "taken_over"


def workbook_bytes(rows):
    workbook = Workbook()
    workbook.active.append(["放权部门", "事项名称", "权力类型", "实施编码", "下放方式"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, catalogue, town, rows):
    page.goto("/delegation/import/catalogue/")
    page.get_by_label("放权目录").select_option(str(catalogue.pk))
    page.get_by_label("适用镇").select_option(str(town.pk))
    page.get_by_label("文件(XLSX 或 CSV)").set_input_files(
        {"name": "catalogue.xlsx", "mimeType": XLSX, "buffer": workbook_bytes(rows)}
    )
    page.get_by_role("button", name="上传并预览").click()


def test_import_with_an_error_then_the_corrected_file(new_page, clerk, power):
    catalogue = DelegationCatalogueFactory(county=power.town.county)
    page = new_page()
    log_in(page)
    good = ["县市场监管局", "食品生产许可", "行政许可", "IMP-900", "直接下放"]
    upload(page, catalogue, power.town, [good, ["县市场监管局", "广告处罚", "行政魔法", "", "委托"]])
    problems = page.locator("table.problems")
    assert "权力类型" in problems.inner_text()
    assert "行政魔法" in problems.inner_text()
    shot(page, "import-problems")
    assert not DelegatedPower.objects.filter(item__implementation_code="IMP-900").exists()

    upload(page, catalogue, power.town, [good, ["县市场监管局", "广告处罚", "行政处罚", "", "委托"]])
    assert "将新增 2 条" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/delegation/powers/**")
    assert "导入完成" in page.locator(".messages").inner_text()
    assert "广告处罚" in page.locator("table").inner_text()
    shot(page, "import-done")
    assert DelegatedPower.objects.filter(town=power.town).count() == 3


def test_second_editor_sees_the_conflict(new_page, clerk, power):
    UserFactory(username="colleague", region=power.town.county)
    first, second = new_page(), new_page()
    log_in(first)
    log_in(second, "colleague")
    for page in (first, second):
        page.goto(f"/delegation/powers/{power.pk}/edit/")
    first.get_by_label("未承接原因说明").fill("缺少执法人员")
    first.get_by_role("button", name="保存").click()
    first.wait_for_url(f"**/delegation/powers/{power.pk}/")

    second.get_by_label("未承接原因说明").fill("培训未完成")
    second.get_by_role("button", name="保存").click()
    assert second.get_by_role("heading", name="保存冲突").is_visible()
    table = second.locator("table.conflict").inner_text()
    assert "缺少执法人员" in table
    assert "培训未完成" in table
    shot(second, "conflict")
    power.refresh_from_db()
    assert power.not_taken_over_reason == "缺少执法人员"

    second.get_by_role("button", name="用我的修改覆盖").click()
    second.wait_for_url(f"**/delegation/powers/{power.pk}/")
    power.refresh_from_db()
    assert power.not_taken_over_reason == "培训未完成"


def test_switch_language_to_english(new_page, clerk):
    page = new_page()
    log_in(page)
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Log out").is_visible()
    shot(page, "home-english")
