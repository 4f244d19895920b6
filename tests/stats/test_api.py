"""The statistics and alerts endpoints: read-only, scoped, filterable, in the schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import User
from stats.models import Alert, RecomputeRun

pytestmark = pytest.mark.django_db


def _client(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def test_a_provincial_reviewer_reads_the_dongying_split_with_its_shares(demo):
    response = _client("shandong_reviewer").get(
        reverse("api:stats-api:power-figure-summary"), {"scope_kind": "city", "region": "370500"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["delegated"], body["running"], body["unused"], body["not_taken_over"]) == (401, 179, 155, 67)
    assert (body["running_share"], body["unused_share"], body["not_taken_over_share"]) == ("44.6", "38.7", "16.7")


def test_power_rows_filter_by_town_and_type(demo):
    response = _client("admin").get(
        reverse("api:stats-api:power-figure-list"), {"town": "371581109000", "power_type": "01", "scope_kind": "town"}
    )
    assert response.status_code == 200
    assert sum(row["delegated"] for row in response.json()["results"]) == 35


def test_a_county_editor_sees_only_the_rows_and_alerts_of_their_county(demo):
    client = _client("linqing_editor")
    rows = client.get(reverse("api:stats-api:power-figure-list"), {"page_size": 500}).json()["results"]
    assert rows
    assert {row["region_code"] for row in rows} == {"371581"}
    other = Alert.objects.exclude(region__code="371581").filter(town__isnull=False).first()
    assert client.get(reverse("api:stats-api:alert-detail", args=[other.pk])).status_code == 404


def test_alerts_carry_their_chinese_message_and_filter_by_rule(demo):
    response = _client("admin").get(
        reverse("api:stats-api:alert-list"), {"rule": "fiscal_unpaid", "town": "532311102000", "is_open": "true"}
    )
    results = response.json()["results"]
    assert len(results) == 5
    assert all("广通镇" in a["message_zh"] and "承诺 300 万元" in a["message_zh"] for a in results)


def test_an_unknown_filter_value_is_refused_naming_the_field(demo):
    response = _client("admin").get(reverse("api:stats-api:power-figure-list"), {"scope_kind": "galaxy"})
    assert response.status_code == 400
    assert "scope_kind" in response.json()["fields"]


def test_the_endpoints_are_read_only(demo):
    response = _client("admin").post(reverse("api:stats-api:alert-list"), {"rule": "paper_only"})
    assert response.status_code == 405


def test_recompute_runs_are_listed_for_administrators_and_the_regions_they_rebuilt(demo):
    assert RecomputeRun.objects.exists()
    assert _client("admin").get(reverse("api:stats-api:recompute-run-list")).json()["count"] >= 1
    runs = _client("shandong_reviewer").get(reverse("api:stats-api:recompute-run-list")).json()["results"]
    # The demo's runs rebuilt the province's figures too: its past months, then the current one.
    scopes = {run["scope"].split(":")[0] for run in runs}
    assert scopes == {"all", "history"}


def test_the_endpoints_are_in_the_schema(demo):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"/api/v1/stats/power-figures/summary/", "/api/v1/stats/alerts/{id}/"} <= set(paths)


def test_an_administrator_recomputes_now_from_the_admin(demo, client):
    client.force_login(User.objects.get(username="admin"))
    before = RecomputeRun.objects.count()
    page = client.get(reverse("admin:stats_recomputerun_changelist"))
    assert "立即重算统计" in page.content.decode()
    response = client.post(reverse("admin:stats_recompute_now"), follow=True)
    assert response.status_code == 200
    assert RecomputeRun.objects.count() == before + 1
    assert "重算完成" in response.content.decode()


@pytest.mark.parametrize("year", ["0", "99999999999999999999", "1999", "2100"])
def test_a_year_outside_2000_to_2099_is_refused_naming_the_field(demo, year):
    for name in ("figure-list", "power-figure-list", "power-figure-summary"):
        response = _client("admin").get(reverse(f"api:stats-api:{name}"), {"year": year})
        assert response.status_code == 400, name
        assert "year" in response.json()["fields"]
