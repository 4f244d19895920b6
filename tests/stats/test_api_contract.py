"""The statistics API as integrators read it: scope, types, schema, and the recompute runs of a region."""

import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import User
from delegation.models import DelegatedPower
from reforms.models import Town
from stats.models import PendingRecompute, RecomputeRun

pytestmark = pytest.mark.django_db

SUMMARY = reverse("api:stats-api:power-figure-summary")
POWERS = reverse("api:stats-api:power-figure-list")
FIGURES = reverse("api:stats-api:figure-list")
RUNS = reverse("api:stats-api:recompute-run-list")


def _client(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("url", [SUMMARY, POWERS, FIGURES])
@pytest.mark.parametrize(
    "params",
    [
        {"region": "370500"},  # 东营市, another city
        {"region": "371500"},  # 聊城市, above the editor's county
        {"county": "370523"},  # 广饶县
        {"town": "370523101000"},  # 大王镇, a town of 广饶县
        {"region": "999999"},  # no such region
    ],
)
def test_a_region_out_of_scope_answers_404_not_zeros(demo, url, params):
    response = _client("linqing_editor").get(url, params)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_callers_own_region_still_answers(demo):
    response = _client("linqing_editor").get(SUMMARY, {"region": "371581", "scope_kind": "county"})
    assert response.status_code == 200
    assert response.json()["delegated"] > 0


def test_counts_are_json_integers_and_amounts_decimal_strings(demo):
    rows = _client("admin").get(FIGURES, {"metric": "tasks", "scope_kind": "province"}).json()["results"]
    assert rows
    assert all(type(row["value"]) is int for row in rows)
    rows = _client("admin").get(FIGURES, {"metric": "fiscal_promised", "scope_kind": "province"}).json()["results"]
    assert rows
    assert all(isinstance(row["value"], str) and "." in row["value"] for row in rows)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(APIClient().get("/api/v1/schema/").content)


def test_town_code_is_nullable_in_the_schema_as_region_rows_answer_it(demo, schema):
    rows = _client("admin").get(POWERS, {"scope_kind": "county"}).json()["results"]
    assert rows
    assert all(row["town_code"] is None for row in rows)
    for name in ("PowerFigure", "Figure", "Alert"):
        assert schema["components"]["schemas"][name]["properties"]["town_code"]["nullable"] is True, name


def test_the_summary_documents_its_filters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/stats/power-figures/summary/"]["get"]["parameters"]}
    assert {"region", "town", "scope_kind", "period", "period_from", "period_to", "power_type", "mode"} <= parameters


def _examples(node):
    """Every example value anywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, dict):
                yield from (example.get("value") for example in value.values() if isinstance(example, dict))
            elif key == "example":
                yield value
            else:
                yield from _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def _codes(node, field):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == field and isinstance(value, str):  # an error example lists messages there
                yield value
            yield from _codes(value, field)
    elif isinstance(node, list):
        for value in node:
            yield from _codes(value, field)


def test_the_schema_examples_use_codes_of_the_demo(demo, schema):
    examples = list(_examples(schema))
    towns = set(_codes(examples, "town_code"))
    items = set(_codes(examples, "implementation_code"))
    assert towns
    assert items
    assert towns <= set(Town.objects.values_list("code", flat=True))
    assert items <= set(DelegatedPower.objects.values_list("item__implementation_code", flat=True))


def test_a_caller_lists_the_recompute_runs_of_its_region(demo):
    yandian = Town.objects.get(code="371581109000")
    dawang = Town.objects.get(code="370523101000")
    RecomputeRun.objects.create(scope=yandian.code, as_of="2026-10-01", triggered_by="test")
    RecomputeRun.objects.create(scope=dawang.code, as_of="2026-10-01", triggered_by="test")
    RecomputeRun.objects.create(scope=f"towns:{dawang.pk},{yandian.pk}", as_of="2026-10-01", triggered_by="test")
    RecomputeRun.objects.create(scope=f"towns:{dawang.pk}", as_of="2026-10-01", triggered_by="test")
    scopes = {run["scope"] for run in _client("linqing_editor").get(RUNS, {"page_size": 500}).json()["results"]}
    assert {yandian.code, f"towns:{dawang.pk},{yandian.pk}", "all"} <= scopes
    assert not scopes & {dawang.code, f"towns:{dawang.pk}"}
    reviewer = {run["scope"] for run in _client("shandong_reviewer").get(RUNS, {"page_size": 500}).json()["results"]}
    assert {yandian.code, dawang.code, f"towns:{dawang.pk}"} <= reviewer


def test_a_failed_run_tells_its_exception_to_administrators_only(demo):
    yandian = Town.objects.get(code="371581109000")
    failed = RecomputeRun.objects.create(
        scope=yandian.code, as_of="2026-10-01", outcome="failed", error='IntegrityError("stats_figure 370523101000")'
    )
    seen = {
        username: next(
            r for r in _client(username).get(RUNS, {"page_size": 500}).json()["results"] if r["id"] == failed.pk
        )
        for username in ("linqing_editor", "admin")
    }
    assert "370523101000" not in seen["linqing_editor"]["error"]
    assert seen["linqing_editor"]["error"]  # still says that it failed
    assert seen["admin"]["error"] == failed.error


def test_an_editor_requests_a_recompute_of_a_town_in_scope(demo):
    response = _client("linqing_editor").post(RUNS, {"town_code": "371581109000"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["town_code"] == "371581109000"
    assert body["state"] in {"queued", "done"}
    if body["state"] == "queued":
        assert PendingRecompute.objects.filter(town__code="371581109000").exists()
    else:
        assert body["run"]["outcome"] == "success"


@pytest.mark.parametrize("code", ["370523101000", "371581999000"])  # another county's town; no such town
def test_a_recompute_of_a_town_out_of_scope_reads_as_unknown(demo, code):
    before = PendingRecompute.objects.count()
    response = _client("linqing_editor").post(RUNS, {"town_code": code}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["town_code"]
    assert PendingRecompute.objects.count() == before


def test_a_reviewer_cannot_request_a_recompute(demo):
    response = _client("shandong_reviewer").post(RUNS, {"town_code": "371581109000"}, format="json")
    assert response.status_code == 403
