"""Permission matrix over every URL of the UI and the API, found by walking the URL configuration.

A view added without a login or permission check fails here without anyone editing this file:
anonymous callers must be sent to the login page (UI) or refused with 401 (API); a reviewer's writes
are refused; an editor of another county gets 404 for another county's row.
"""

import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from delegation.models import DelegatedPower, InspectionRound
from reforms.models import Region, Town
from territory.models import Call
from tests.factories import CountyFactory, UserFactory

from .test_pages_hostile import _factory

pytestmark = pytest.mark.django_db

# Pages meant for everyone: the landing page, the health check, signing in and out, the language switch,
# the icon. The API's schema and its documentation pages describe endpoints, never data, so other systems'
# developers read them before they hold a token.
PUBLIC = {
    "home",
    "healthz",
    "favicon",
    "login",
    "logout",
    "set_language",
    "schema",
    "swagger-ui",
    "redoc",
    "redoc-bundle",
}
# A user's own second-factor pages: posting a code there is not a ledger write.
OWN_ACCOUNT = {"otp_verify", "otp_setup"}
# Django's admin guards itself (admin_view, is_staff); its own tests cover it.
SKIP_NAMESPACES = ("admin",)
VALUES = {"fmt": "csv", "kind": "catalogue", "format": "json"}
MISSING_PK = "999999"


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback, p.name, namespace


def _concrete(template, pk=MISSING_PK):
    """A path for a route or regex template: named parts get a value, regex syntax is dropped."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: VALUES.get(m.group(1), pk), template)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: VALUES.get(m.group(1), pk), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "").replace("/?", "/")
    return "/" + path.lstrip("/")


def _urls():
    seen = {}
    for template, callback, name, namespace in _walk(get_resolver().url_patterns):
        if namespace in SKIP_NAMESPACES or name in PUBLIC or "(?P<format>" in template or "<drf_format" in template:
            continue
        seen.setdefault(_concrete(template), (template, callback, name))
    return seen


URLS = _urls()


def test_the_walk_finds_the_ui_and_the_api():
    paths = list(URLS)
    assert sum(p.startswith("/api/v1/") for p in paths) >= 40
    assert sum(not p.startswith("/api/") for p in paths) >= 80


@pytest.mark.parametrize("path", sorted(URLS))
def test_anonymous_is_sent_to_login_or_refused(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401, (path, response.status_code)
    else:
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith("/accounts/login/")


@pytest.fixture
def reviewer(db):
    county = CountyFactory()
    return UserFactory(role="reviewer", region=Region.objects.get(pk=county.parent_id))


@pytest.mark.parametrize("path", sorted(p for p, (_t, _c, name) in URLS.items() if name not in OWN_ACCOUNT))
def test_reviewer_cannot_write_anywhere(client, reviewer, path):
    if path.startswith("/api/"):
        api = APIClient()
        api.force_authenticate(reviewer)
        statuses = [getattr(api, m)(path, {}, format="json").status_code for m in ("post", "put", "patch", "delete")]
    else:
        client.force_login(reviewer)
        statuses = [client.post(path, {}).status_code]
    assert all(s in (403, 404, 405) for s in statuses), (path, statuses)


# Function views that show one row; a new one must be added here (test_every_object_url_has_a_model).
FUNCTION_VIEW_MODELS = {
    "town_page": Town,
    "town_editions": Town,
    "paper_only_evidence": DelegatedPower,
    "score_sheet": InspectionRound,
    "call_page": Call,
    "call_step": Call,
}


def _model_of(callback):
    if callback.__name__ in FUNCTION_VIEW_MODELS:
        return FUNCTION_VIEW_MODELS[callback.__name__]
    cls = getattr(callback, "cls", None)
    if cls is not None:
        serializer = getattr(cls, "serializer_class", None)
        return getattr(getattr(serializer, "Meta", None), "model", None)
    ui = getattr(getattr(inspect.unwrap(callback), "__self__", None), "ui", None)
    return getattr(ui, "model", None)


OBJECT_URLS = sorted(
    (template, callback) for template, callback, _name in URLS.values() if re.search(r"<int:pk>|\(\?P<pk>", template)
)


def test_every_object_url_has_a_model():
    missing = [template for template, callback in OBJECT_URLS if _model_of(callback) is None]
    assert missing == []


@pytest.mark.parametrize(("template", "callback"), OBJECT_URLS, ids=[t for t, _c in OBJECT_URLS])
def test_another_countys_row_is_404(client, template, callback):
    model = _model_of(callback)
    factory = _factory(model)
    if factory is None:
        pytest.skip(f"no factory for {model.__name__}")
    obj = factory()  # in 临清市
    outsider = UserFactory(region=CountyFactory(code="371522", name="莘县"))
    path = _concrete(template, pk=str(obj.pk))
    if path.startswith("/api/"):
        api = APIClient()
        api.force_authenticate(outsider)
        read = api.get(path).status_code
        writes = [getattr(api, m)(path, {}, format="json").status_code for m in ("patch", "delete")]
        if read == 405:
            # A step of a call answers POST only: a row out of scope is not found there either.
            read = api.post(path, {}, format="json").status_code
    else:
        client.force_login(outsider)
        read, writes = client.get(path).status_code, [client.post(path, {}).status_code]
        if read == 405:
            read = writes[0]  # a page that only takes a POST (a call's step)
    # Not found, whatever the method; a page that only reads may refuse the method first (405).
    assert read == 404, (path, read)
    assert set(writes) <= {404, 405}, (path, writes)
