"""In Chromium: money reads in 万元, a refused weight is marked at its own box, a save is announced."""

from decimal import Decimal

import pytest

from tests.browser.conftest import shot
from tests.factories import AssessmentSchemeFactory, FiscalYearRecordFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-for-tests")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_money_reads_in_wan_yuan_and_the_form_takes_it(new_page):
    record = FiscalYearRecordFactory(promised=Decimal("19200000.00"), paid=Decimal("15000000.00"))
    UserFactory(username="clerk", region=record.arrangement.town.county)
    page = new_page()
    log_in(page, "clerk")
    page.goto("/finance/years/")
    row = page.get_by_role("row", name=record.arrangement.title)
    assert "1,920 万元" in row.inner_text()
    page.goto(f"/finance/years/{record.pk}/edit/")
    assert page.get_by_label("承诺额").input_value() == "1920"
    page.get_by_label("实际兑现").fill("1600.5")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/finance/years/{record.pk}/")
    assert "已保存" in page.locator(".messages").inner_text()
    assert "1,600.5 万元" in page.inner_text("main")
    shot(page, "fiscal-year-wan-yuan")
    record.refresh_from_db()
    assert record.paid == Decimal("16005000.00")


def test_weight_out_of_range_is_marked_at_that_weight(new_page):
    scheme = AssessmentSchemeFactory()
    UserFactory(username="clerk", region=scheme.region)
    page = new_page()
    log_in(page, "clerk")
    page.goto(f"/towns/schemes/{scheme.pk}/edit/")
    page.get_by_label("县级权重(%)").fill("-20")
    page.get_by_label("镇级权重(%)").fill("120")
    page.get_by_role("button", name="保存").click()
    county = page.locator(".has-error", has=page.get_by_label("县级权重(%)"))
    assert "权重必须在 0 到 100 之间。" in county.inner_text()
    minimum = page.locator(".field", has=page.get_by_label("镇级最低权重(%)"))
    assert "权重必须" not in minimum.inner_text()
    shot(page, "scheme-weight-error")
