"""Every ledger page under a strict Content-Security-Policy, and hostile text stored in every text field.

The pages are found in the registry of ledger models, so a new ledger page is covered without
editing this file; rows come from the factory named after the model.
"""

import csv
import io
import re

import pytest
from django.db import models as m
from django.urls import reverse
from openpyxl import load_workbook

from core.registry import ledgers
from reforms.models import Town
from staffing.models import Secondment
from tests import factories

PAYLOAD = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

UIS = [entry.page for entry in ledgers() if entry.page is not None]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _factory(model):
    """The factory named after ``model``, or None (stats rows, which the statistics build)."""
    return getattr(factories, f"{model.__name__}Factory", None)


def _text_fields(model):
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, m.CharField | m.TextField) and not f.choices and (f.max_length or 1000) >= len(PAYLOAD)
    ]


def _poison(obj):
    """Write the payload into every free-text field, bypassing validation as an attacker's import might."""
    fields = _text_fields(type(obj))
    type(obj)._default_manager.filter(pk=obj.pk).update(**dict.fromkeys(fields, PAYLOAD))
    return fields


@pytest.fixture
def hostile_rows(db):
    """One row per ledger page, its text fields (and its town's name) poisoned."""
    rows = {}
    for ui in UIS:
        factory = _factory(ui.model)
        if factory is not None:
            obj = factory()
            _poison(obj)
            town = getattr(obj, "town", None)
            if town is not None:
                _poison(town)
            rows[ui.model] = obj
    return rows


def assert_safe_page(response):
    assert response.status_code == 200, response.status_code
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    html = response.content.decode()
    assert PAYLOAD not in html
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    return html


def test_every_ledger_page_has_a_poisoned_row(hostile_rows):
    assert set(hostile_rows) == {ui.model for ui in UIS}


def test_every_ledger_page_escapes_stored_script_and_has_no_inline_code(client, admin_user, hostile_rows):
    client.force_login(admin_user)
    escaped_somewhere = set()
    for ui in UIS:
        html = assert_safe_page(client.get(ui.url("list")))
        obj = hostile_rows.get(ui.model)
        if obj is None:
            continue
        pages = [html, assert_safe_page(client.get(ui.url("detail", obj.pk)))]
        if ui.writable:
            pages.append(assert_safe_page(client.get(ui.url("update", obj.pk))))
            assert_safe_page(client.get(ui.url("create")))
        if any(ESCAPED in page for page in pages):
            escaped_somewhere.add(ui.model.__name__)
    # The payload is shown, as text, wherever a poisoned field is displayed.
    assert len(escaped_somewhere) >= 9, sorted(escaped_somewhere)


def test_main_pages_hold_the_policy(client, admin_user, hostile_rows):
    assert_safe_page(client.get(reverse("login")))
    assert_safe_page(client.get(reverse("home")))
    client.force_login(admin_user)
    assert_safe_page(client.get(reverse("home")))
    assert_safe_page(client.get(reverse("reforms:my_towns")))
    town = hostile_rows[Town]
    assert ESCAPED in assert_safe_page(client.get(reverse("reforms:town_page", args=[town.pk])))
    assert_safe_page(client.get(reverse("delegation:case_count_import")))


def test_api_docs_run_no_inline_script(client, admin_user):
    client.force_login(admin_user)
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        assert not INLINE_SCRIPT.search(response.content.decode())


def test_exports_keep_hostile_text_inert(client, admin_user, hostile_rows):
    obj = hostile_rows[Secondment]
    type(obj).objects.filter(pk=obj.pk).update(**dict.fromkeys(_text_fields(type(obj))[:1], FORMULA))
    client.force_login(admin_user)
    ui = next(ui for ui in UIS if ui.slug == "secondments")
    text = client.get(ui.url("export", "csv")).content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert PAYLOAD in cells or "'" + FORMULA in cells
    assert FORMULA not in cells
    sheet = load_workbook(io.BytesIO(client.get(ui.url("export", "xlsx")).content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert "'" + FORMULA in values
