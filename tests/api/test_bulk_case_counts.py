"""Bulk case counts: idempotent upsert, validated whole, written whole or refused with per-item errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegation.models import MonthlyCaseCount
from tests.factories import DelegatedPowerFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/case-counts/bulk/"


@pytest.fixture
def powers(town_a):
    return [DelegatedPowerFactory(town=town_a) for _ in range(3)]


def batch(powers, accepted=10):
    return {
        "items": [
            {
                "town_code": power.town.code,
                "implementation_code": power.item.implementation_code,
                "month": "2026-10",
                "accepted": accepted,
                "closed": accepted - 1,
            }
            for power in powers
        ]
    }


def test_same_batch_twice_changes_nothing_the_second_time(users, powers):
    client = client_for(users["editor_a"])
    assert client.post(URL, batch(powers), format="json").json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert client.post(URL, batch(powers), format="json").json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert MonthlyCaseCount.objects.count() == 3


def test_changed_counts_are_updated(users, powers):
    client = client_for(users["editor_a"])
    client.post(URL, batch(powers), format="json")
    before = dict(MonthlyCaseCount.objects.values_list("pk", "version"))
    changed = batch(powers[:2], accepted=12)
    changed["items"].append(batch(powers[2:])["items"][0])
    assert client.post(URL, changed, format="json").json() == {"created": 0, "updated": 2, "unchanged": 1}
    saved = {c.power_id: c for c in MonthlyCaseCount.objects.all()}
    assert [(saved[p.pk].accepted, saved[p.pk].closed) for p in powers] == [(12, 11), (12, 11), (10, 9)]
    # A changed row counts one more version (what an editor's If-Match compares); the unchanged keeps its.
    assert [saved[p.pk].version - before[saved[p.pk].pk] for p in powers] == [1, 1, 0]


def test_a_batch_of_changed_counts_takes_as_many_queries_as_a_smaller_one(users, town_a):
    """The load test's platforms push 20 changed counts at a time: a changed row must not read its
    power again, one query per row."""
    many = [DelegatedPowerFactory(town=town_a) for _ in range(12)]
    client = client_for(users["editor_a"])
    queries = []
    for powers in (many[:2], many):
        client.post(URL, batch(powers), format="json")
        with CaptureQueriesContext(connection) as ctx:
            answer = client.post(URL, batch(powers, accepted=12), format="json").json()
        assert answer == {"created": 0, "updated": len(powers), "unchanged": 0}
        queries.append(len(ctx.captured_queries))
    assert queries[0] == queries[1], queries


def test_one_bad_item_refuses_the_whole_batch_with_its_index(users, powers):
    body = batch(powers)
    body["items"][1]["implementation_code"] = "NO-SUCH-CODE"
    body["items"][2]["month"] = "2026/13"
    response = client_for(users["editor_a"]).post(URL, body, format="json")
    assert response.status_code == 400
    items = response.json()["fields"]["items"]
    assert set(items) == {"1", "2"}
    assert "implementation_code" in items["1"]
    assert "month" in items["2"]
    assert MonthlyCaseCount.objects.count() == 0


def test_shape_errors_name_the_item_and_field(users, powers):
    body = batch(powers)
    body["items"][0]["accepted"] = -1
    del body["items"][2]["closed"]
    response = client_for(users["editor_a"]).post(URL, body, format="json")
    assert response.status_code == 400
    items = response.json()["fields"]["items"]
    assert set(items) == {"0", "2"}
    assert set(items["0"]) == {"accepted"}
    assert set(items["2"]) == {"closed"}
    assert MonthlyCaseCount.objects.count() == 0


def test_another_countys_powers_read_as_unknown(users, powers):
    response = client_for(users["editor_b"]).post(URL, batch(powers), format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]["items"]) == {"0", "1", "2"}
    assert MonthlyCaseCount.objects.count() == 0


def test_reviewer_cannot_push_counts(users, powers):
    assert client_for(users["reviewer"]).post(URL, batch(powers), format="json").status_code == 403


def test_empty_batch_is_refused(users):
    response = client_for(users["editor_a"]).post(URL, {"items": []}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()["fields"]


def test_service_account_pushes_with_its_token(service_token, powers):
    _, secret = service_token
    client = client_for(None)
    response = client.post(URL, batch(powers), format="json", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200
    assert response.json()["created"] == 3
