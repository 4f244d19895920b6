"""Refusals and failures show the site's own page, in Chinese, with a way back; never Django's technical page."""

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("secret detail of the failure")


def bad(request):
    from django.core.exceptions import BadRequest

    raise BadRequest("bad")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", boom),
    path("bad/", bad),
    path("fine/", fine),
    path("", include("config.urls")),
]
handler404 = "core.api.exceptions.api_not_found"
handler500 = "core.views.server_error"


@pytest.fixture
def make_run(settings):
    """The settings of `make run`: DEBUG on, no opt-in to technical pages."""
    settings.DEBUG = True
    settings.TECHNICAL_ERROR_PAGES = False
    return settings


@pytest.fixture
def with_failing_views(settings):
    settings.ROOT_URLCONF = __name__
    return settings


def assert_friendly(response, status, title):
    page = response.content.decode()
    assert response.status_code == status
    assert title in page
    assert 'class="topbar"' in page  # the site's layout
    assert '<a class="button primary" href="/">返回首页</a>' in page  # a way back
    assert not any(leak in page for leak in ("Traceback", "URLconf", "secret detail"))


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_address_is_the_sites_404_page(client, settings, debug):
    """No technical page listing every URL, under make run's DEBUG as in production."""
    settings.DEBUG = debug
    settings.TECHNICAL_ERROR_PAGES = False
    assert_friendly(client.get("/no-such-page/"), 404, "找不到这个页面或记录")


def test_missing_record_under_debug_is_the_sites_404_page(client, make_run):
    client.force_login(UserFactory())
    assert_friendly(client.get(reverse("delegation:powers_detail", args=[999999])), 404, "找不到这个页面或记录")


def test_missing_slash_is_still_redirected_under_debug(client, make_run):
    response = client.get("/towns")
    assert response.status_code == 301
    assert response["Location"] == "/towns/"


def test_api_keeps_its_json_404_under_debug(client, make_run):
    response = client.get("/api/v1/no-such-list/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_developer_may_opt_in_to_technical_404(client, make_run):
    make_run.TECHNICAL_ERROR_PAGES = True
    assert "URLconf" in client.get("/no-such-page/").content.decode()


def test_refusal_is_the_sites_403_page(client):
    client.force_login(UserFactory(role="reviewer"))
    assert_friendly(client.get(reverse("delegation:powers_create")), 403, "无权访问")


@pytest.mark.parametrize("debug", [True, False])
def test_failure_is_the_sites_500_page(make_run, with_failing_views, debug):
    make_run.DEBUG = debug
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page
    assert "返回首页" in page
    assert not any(leak in page for leak in ("Traceback", "secret detail"))


def test_bad_request_under_debug_is_the_sites_400_page(client, make_run, with_failing_views):
    assert_friendly(client.get("/bad/"), 400, "请求有误")


def test_nul_in_query_is_the_sites_400_page(client):
    client.force_login(UserFactory())
    assert_friendly(client.get(reverse("delegation:powers_list"), {"search": "a\x00b"}), 400, "请求有误")


def test_form_without_csrf_token_explains_in_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "x", "password": "y"}, HTTP_REFERER="http://testserver/accounts/login/"
    )
    assert_friendly(response, 403, "页面已过期")
    assert 'href="http://testserver/accounts/login/"' in response.content.decode()
    assert "CSRF verification failed" not in response.content.decode()


def test_pages_carry_a_favicon_served_by_the_site(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/favicon.ico")["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")  # a file of the site, no CDN
