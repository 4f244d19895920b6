"""乡呼县应 in the browser: a town clerk calls, the department answers, the town rates, the figures show it."""

import pytest

from stats.models import PendingRecompute
from territory.models import Call
from tests.browser.conftest import shot
from tests.factories import CountyFactory, DelegatedPowerFactory, DepartmentFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    county = CountyFactory()
    town = TownFactory(county=county, name="烟店镇")
    department = DepartmentFactory(county=county, name="生态环境分局")
    # A pilot town's dashboard opens on the months its delegated powers have figures for.
    DelegatedPowerFactory(town=town)
    return {
        "town": town,
        "clerk": UserFactory(username="clerk", role="town_staff", region=county, town=town),
        "responder": UserFactory(username="responder", role="department_staff", region=county, department=department),
    }


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-for-tests")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_raise_accept_respond_close_rate_and_see_the_figures(new_page, people, eager_celery):
    """No recompute by hand: each step's commit queues its town's recompute, run in-process here as the
    worker runs it in production, so the dashboard read after the evaluation shows the new figures."""
    clerk = new_page()
    log_in(clerk, "clerk")
    clerk.goto("/territory/calls/new/")
    # The department is a picker: the clerk types part of its name and picks it.
    clerk.get_by_role("combobox", name="响应部门").press_sequentially("生态")
    clerk.locator("#id_department-ts-dropdown .option", has_text="生态环境分局").click()
    clerk.get_by_label("事由").fill("车辆向河道倾倒污水")
    clerk.get_by_label("地点").fill("东河桥")
    clerk.get_by_label("紧急程度").select_option("urgent")
    clerk.get_by_role("button", name="呼叫", exact=True).click()
    clerk.wait_for_url("**/territory/calls/*/")
    call = Call.objects.get()
    assert "待受理" in clerk.get_by_test_id("call-state").inner_text()

    responder = new_page()
    log_in(responder, "responder")
    responder.goto("/territory/inbox/")
    assert "1" in responder.get_by_role("row", name="待受理").inner_text()
    responder.goto(f"/territory/calls/{call.pk}/")
    responder.get_by_role("button", name="受理").click()
    responder.get_by_label("处置情况").fill("执法人员到场,查扣车辆,责令清理")
    responder.get_by_role("button", name="响应").click()
    responder.get_by_role("button", name="办结").click()
    assert "已办结待评价" in responder.get_by_test_id("call-state").inner_text()
    shot(responder, "call-closed")

    clerk.goto(f"/territory/calls/{call.pk}/")
    clerk.get_by_label("满意", exact=True).check()
    clerk.get_by_role("button", name="评价").click()
    assert "已评价" in clerk.get_by_test_id("call-state").inner_text()
    timeline = clerk.locator("table.timeline").inner_text()
    for step in ("呼叫", "受理", "响应", "办结", "评价"):
        assert step in timeline
    shot(clerk, "call-timeline")

    # The evaluation's own after-commit recompute has run: nothing waits in the outbox.
    assert not PendingRecompute.objects.exists()
    clerk.goto(f"/dashboard/town/{people['town'].code}/")
    assert clerk.get_by_test_id("call-on-time").inner_text() == "100.0%"
    assert clerk.get_by_test_id("call-satisfaction").inner_text() == "100.0%"
    ranking = clerk.get_by_test_id("department-ranking").inner_text()
    assert "生态环境分局" in ranking
    assert "100.0%" in ranking
    shot(clerk, "call-dashboard")
