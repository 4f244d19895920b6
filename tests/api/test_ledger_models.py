"""The same cases for every ledger model of the registry, generated from it (``core.registry``).

For each model: create, read, update and delete over the API; the version as ETag and If-Match; scope
(another county's editor gets 404, a reviewer reads but never writes, anonymous callers 401); the region
and town filters; a list's query count that does not grow with its rows; the history of a change; and,
for models with pages, the export. A model declared in the registry gets these cases without editing
this file; its test factory is the one in tests/factories.py named after it.

Every row is built in county A (临清市) by its factory; county B (莘县) is another county of the same city.
"""

import csv
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import LedgerModel
from core.registry import ledgers
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db

LEDGERS = ledgers()
WRITABLE = [entry for entry in LEDGERS if hasattr(entry.viewset, "update")]
WITH_PAGES = [entry for entry in LEDGERS if entry.page is not None]
# Models without django-simple-history, and why; any other ledger model must keep its history.
NO_HISTORY = {
    "Region": "reference data kept by the system administrator in the admin, read-only over the API",
    "ReportedFigure": "a figure copied from a document, which is itself the record",
    "MonthlyCaseCount": "feeds write millions of these, and each row is itself a dated record",
}
# Models the API does not update or delete as records, and why.
READ_ONLY = {
    "Region": "reference data kept by the system administrator in the admin",
    "Call": "changes only by its steps (accept, respond, close, evaluate...), each an action of its own",
}
# Fields an API representation adds that a client never sends back.
NOT_SENT = {"id", "version", "created_at", "updated_at"}


def by_prefix(entries):
    return pytest.mark.parametrize("entry", entries, ids=[entry.api_prefix for entry in entries])


def build(entry):
    """A row of ``entry``'s model in county A, from the factory named after the model."""
    return getattr(factories, entry.factory_name)()


def build_another(entry, index):
    """One more row: regions are found by code, so another county of the city is made for each."""
    if entry.model.__name__ == "Region":
        return factories.RegionFactory(code=f"37159{index}", name=f"测试县{index}")
    if entry.model.__name__ == "CallPolicy":  # one a county
        return factories.CallPolicyFactory(county=factories.RegionFactory(code=f"37159{index}", name=f"测试县{index}"))
    return build(entry)


def url(entry, obj=None):
    return f"/api/v1/{entry.api_prefix}/" + (f"{obj.pk}/" if obj is not None else "")


def listed_ids(client, entry, **params):
    response = client.get(url(entry), params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def if_match(version):
    return {"HTTP_IF_MATCH": f'"{version}"'}


# ---------------------------------------------------------------- guards


def test_every_ledger_model_is_registered():
    """A new ledger model that is not declared in its app's ledger.py has no pages, API or tests: it fails here."""
    concrete = {m for m in apps.get_models() if issubclass(m, LedgerModel)}
    assert concrete - {entry.model for entry in LEDGERS} == set()


@by_prefix(LEDGERS)
def test_every_ledger_model_has_a_factory_named_after_it(entry):
    factory = getattr(factories, entry.factory_name, None)
    assert factory is not None, f"tests/factories.py has no {entry.factory_name}"
    assert factory._meta.model is entry.model


def test_models_without_history_are_the_ones_named():
    assert {e.model.__name__ for e in LEDGERS if not hasattr(e.model, "history")} == set(NO_HISTORY)


def test_read_only_models_are_the_ones_named():
    assert {e.model.__name__ for e in LEDGERS if e not in WRITABLE} == set(READ_ONLY)


# ---------------------------------------------------------------- read and scope


@by_prefix(LEDGERS)
def test_read_carries_the_version_as_etag(entry, users):
    obj = build(entry)
    client = client_for(users["editor_a"])
    assert obj.pk in listed_ids(client, entry)
    response = client.get(url(entry, obj))
    assert response.status_code == 200
    assert response.json()["id"] == obj.pk
    if entry in WRITABLE:
        assert response["ETag"] == f'"{obj.version}"'


@by_prefix(LEDGERS)
def test_a_listed_row_reads_exactly_as_the_row_read_alone(entry, users):
    """Lists read plain serializers' rows as columns (core.api.rows); a client sees no difference."""
    client = client_for(users["reviewer"])
    rows = [build(entry), build_another(entry, 1)]
    listed = {row["id"]: row for row in client.get(url(entry), {"page_size": 100}).json()["results"]}
    for obj in rows:
        alone = client.get(url(entry, obj)).json()
        assert list(listed[obj.pk].items()) == list(alone.items())


@by_prefix(LEDGERS)
def test_scope_another_county_finds_nothing_a_reviewer_only_reads(entry, users):
    """Another county's editor gets 404 whatever the method; the city's reviewer reads; anonymous gets 401."""
    obj = build(entry)
    outsider, reviewer, anonymous = (client_for(users[role]) for role in ("editor_b", "reviewer", "anonymous"))
    assert obj.pk not in listed_ids(outsider, entry)
    assert outsider.get(url(entry, obj)).status_code == 404
    assert reviewer.get(url(entry, obj)).status_code == 200
    assert anonymous.get(url(entry)).status_code == 401
    assert anonymous.get(url(entry, obj)).status_code == 401
    if entry not in WRITABLE:
        return
    for client, refused in ((outsider, 404), (reviewer, 403), (anonymous, 401)):
        assert client.patch(url(entry, obj), {}, format="json", **if_match(obj.version)).status_code == refused
        assert client.delete(url(entry, obj), **if_match(obj.version)).status_code == refused
    assert reviewer.post(url(entry), {}, format="json").status_code == 403
    assert anonymous.post(url(entry), {}, format="json").status_code == 401


# ---------------------------------------------------------------- writes


def writable_body(client, entry, obj):
    """The record as the API shows it, without the fields a client never sends."""
    body = client.get(url(entry, obj)).json()
    serializer = entry.serializer()
    sent = {name for name, field in serializer.fields.items() if not field.read_only}
    return {k: v for k, v in body.items() if k in sent and k not in NOT_SENT}


@by_prefix(WRITABLE)
def test_create_from_what_a_read_returned(entry, users):
    """A deleted row posted back as it was read is created again, with version 1, by its county's editor or
    the system administrator; another county's editor cannot create it."""
    obj = build(entry)
    editor, admin = client_for(users["editor_a"]), client_for(users["admin"])
    body = writable_body(editor, entry, obj)
    obj.delete()
    assert client_for(users["editor_b"]).post(url(entry), body, format="json").status_code == 400
    response = editor.post(url(entry), body, format="json")
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    created = entry.model.objects.get(pk=response.json()["id"])
    assert admin.delete(url(entry, created), **if_match(1)).status_code == 204
    assert admin.post(url(entry), body, format="json").status_code == 201


@by_prefix(WRITABLE)
def test_update_needs_the_version_read(entry, users):
    obj = build(entry)
    client = client_for(users["editor_a"])
    assert client.patch(url(entry, obj), {}, format="json").status_code == 428
    assert client.patch(url(entry, obj), {}, format="json", **if_match(obj.version + 1)).status_code == 412
    response = client.patch(url(entry, obj), {}, format="json", **if_match(obj.version))
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{obj.version + 1}"'
    by_admin = client_for(users["admin"]).patch(url(entry, obj), {}, format="json", **if_match(obj.version + 1))
    assert by_admin.status_code == 200
    stale = client.put(url(entry, obj), writable_body(client, entry, obj), format="json", **if_match(obj.version))
    assert stale.status_code == 412


@by_prefix(WRITABLE)
def test_delete_needs_the_version_read(entry, users):
    obj = build(entry)
    client = client_for(users["editor_a"])
    assert client.delete(url(entry, obj)).status_code == 428
    assert client.delete(url(entry, obj), **if_match(obj.version + 1)).status_code == 412
    assert entry.model.objects.filter(pk=obj.pk).exists()
    assert client.delete(url(entry, obj), **if_match(obj.version)).status_code == 204
    assert not entry.model.objects.filter(pk=obj.pk).exists()


@by_prefix([entry for entry in WRITABLE if entry.model.__name__ not in NO_HISTORY])
def test_a_change_is_kept_in_history_with_its_author(entry, users):
    obj = build(entry)
    before = obj.history.count()
    response = client_for(users["editor_a"]).patch(url(entry, obj), {}, format="json", **if_match(obj.version))
    assert response.status_code == 200
    assert obj.history.count() == before + 1
    assert obj.history.first().history_user == users["editor_a"]


# ---------------------------------------------------------------- filters and query counts


def town_of_row(entry, obj):
    town = obj
    for part in entry.town_path.split("__"):
        town = getattr(town, part)
    return town


@by_prefix(LEDGERS)
def test_region_and_town_filters_reach_the_row(entry, users, county_a, county_b):
    obj = build(entry)
    client = client_for(users["admin"])
    assert obj.pk in listed_ids(client, entry, region=county_a.code)
    assert obj.pk in listed_ids(client, entry, county=county_a.code)
    assert obj.pk in listed_ids(client, entry, region=county_a.parent.code)
    assert obj.pk not in listed_ids(client, entry, region=county_b.code)
    if entry.town_path:
        assert obj.pk in listed_ids(client, entry, town=town_of_row(entry, obj).code)
        assert obj.pk not in listed_ids(client, entry, town="371581999000")


def list_queries(client, entry):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(entry), {"page_size": 100})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@by_prefix(LEDGERS)
def test_list_query_count_does_not_grow_with_rows(entry, users):
    client = client_for(users["reviewer"])
    build(entry)
    list_queries(client, entry)  # warm per-process caches (content types, translations)
    one, rows = list_queries(client, entry)
    for index in range(3):
        build_another(entry, index)
    more, more_rows = list_queries(client, entry)
    assert more_rows > rows
    assert more == one


# ---------------------------------------------------------------- export


def exported_rows(client, entry):
    response = client.get(entry.page.url("export", "csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@by_prefix(WITH_PAGES)
def test_export_lists_the_columns_and_the_rows_in_scope(entry, client, users):
    build(entry)
    client.force_login(users["editor_a"])
    header, *rows = exported_rows(client, entry)
    assert len(header) == len(entry.export_columns)
    assert len(rows) == entry.model.objects.count()
    client.force_login(users["editor_b"])
    assert exported_rows(client, entry)[1:] == []
