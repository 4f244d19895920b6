"""In Chromium: the clerk types part of a town's name in the filter's picker, picks it, and the list narrows."""

import pytest
from django.urls import reverse

from core import pickers
from tests.browser.conftest import shot
from tests.factories import CountyFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-for-tests")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


@pytest.fixture
def towns():
    county = CountyFactory()
    for name in ("先锋街道", "大辛庄街道", "八岔路镇"):
        TownFactory(county=county, name=name)
    TownFactory(county=CountyFactory(code="371522", name="莘县"), name="烟庄镇")  # another county's
    UserFactory(username="clerk", region=county)
    return TownFactory(county=county, name="烟店镇")


def pick_town(page, typed, wanted):
    page.goto(reverse("reforms:towns_list"))
    page.locator(".ts-wrapper", has=page.locator("#id_town-ts-control")).locator(".ts-control").click()
    page.locator("#id_town-ts-control").press_sequentially(typed)
    dropdown = page.locator("#id_town-ts-dropdown")
    option = dropdown.locator(".option", has_text=wanted)
    # Only what matches the typing is offered, and only this county's: 莘县's 烟庄镇 matches but is out of scope.
    expect(dropdown).not_to_contain_text("先锋街道")
    expect(option).to_be_visible()
    assert "烟庄镇" not in dropdown.inner_text()
    option.click()
    expect(dropdown).to_be_hidden()
    page.get_by_role("button", name="筛选").click()


@pytest.mark.parametrize("inline", [True, False], ids=["options-in-page", "lookup-endpoint"])
def test_type_part_of_a_town_name_pick_it_and_the_list_filters_to_it(new_page, towns, monkeypatch, inline):
    if not inline:
        monkeypatch.setattr(pickers, "INLINE_MAX", 2)  # a scope too large to list: the picker searches
    page = new_page()
    log_in(page, "clerk")
    pick_town(page, "烟", f"烟店镇 {towns.code}")
    page.wait_for_url(f"**town={towns.code}**")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "烟店镇" in rows.first.inner_text()
    assert "共 1 条" in page.inner_text("main")
    shot(page, f"town-picker-{'inline' if inline else 'lookup'}")
