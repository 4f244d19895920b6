"""The API documentation pages render in Chromium under the site's Content-Security-Policy."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-for-tests")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def console_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize(
    ("path", "ready"), [("/api/v1/redoc/", ".api-content"), ("/api/v1/docs/", ".swagger-ui .info")]
)
def test_docs_render_without_content_policy_errors(new_page, path, ready):
    UserFactory(username="reader", role="reviewer")
    page = new_page()
    errors = console_errors(page)
    log_in(page, "reader")
    page.goto(path)
    page.wait_for_selector(ready)
    page.wait_for_timeout(500)  # workers start after the first render
    assert "经济发达镇改革台账 API" in page.inner_text("body")
    assert errors == []
    # The viewport only: the whole documentation is too tall for one screenshot.
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"api-docs{path.replace('/', '-').rstrip('-')}.png"))
