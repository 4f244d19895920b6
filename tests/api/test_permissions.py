"""Scope rules beyond the matrix every ledger model gets (tests/api/test_ledger_models.py).

Every object is built in county A. Editor A owns it; editor B (another county of the same city)
must not learn it exists; the city reviewer reads but never writes.
"""

import datetime as dt

import pytest

from tests.factories import (
    DelegatedPowerFactory,
    OrganFactory,
    SourceDocumentFactory,
    TownFactory,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_out_of_scope_object_is_never_listed_nor_reachable(users, town_a, town_b):
    client = client_for(users["editor_a"])
    codes = {row["code"] for row in client.get("/api/v1/towns/").json()["results"]}
    assert codes == {town_a.code}
    assert client.get(f"/api/v1/towns/{town_b.pk}/").status_code == 404


def test_editor_cannot_change_a_reference_row_of_the_city(users, county_a):
    """A city document is visible to the county editor (it applies downwards) but not theirs to change."""
    document = SourceDocumentFactory(region=county_a.parent)
    client = client_for(users["editor_a"])
    assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/documents/{document.pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH=f'"{document.version}"'
    )
    assert response.status_code == 403


def test_editor_cannot_move_a_row_into_another_county(users, town_a, town_b):
    organ = OrganFactory(town=town_a)
    response = client_for(users["editor_a"]).patch(
        f"/api/v1/organs/{organ.pk}/", {"town": town_b.pk}, format="json", HTTP_IF_MATCH=f'"{organ.version}"'
    )
    assert response.status_code == 400
    assert "town" in response.json()["fields"]
    organ.refresh_from_db()
    assert organ.town == town_a


def test_regions_are_read_only(users, county_a):
    client = client_for(users["admin"])
    assert client.get(f"/api/v1/regions/{county_a.pk}/").status_code == 200
    assert client.patch(f"/api/v1/regions/{county_a.pk}/", {"name": "x"}, format="json").status_code == 405


def test_filters_reach_through_to_the_town(users, county_a, town_a):
    other_town = TownFactory(county=county_a)
    DelegatedPowerFactory(
        town=town_a, take_over_status="not_taken_over", take_over_on=None, not_taken_over_cause="no_trained_staff"
    )
    kept = DelegatedPowerFactory(town=other_town, delegated_on=dt.date(2020, 1, 1), take_over_on=dt.date(2020, 2, 1))
    client = client_for(users["reviewer"])
    rows = client.get("/api/v1/delegated-powers/", {"town": other_town.code}).json()["results"]
    assert [row["id"] for row in rows] == [kept.pk]
    rows = client.get("/api/v1/delegated-powers/", {"delegated_after": "2019-12-31"}).json()["results"]
    assert [row["id"] for row in rows] == [kept.pk]
    rows = client.get("/api/v1/delegated-powers/", {"county": county_a.code, "ordering": "-id"}).json()["results"]
    assert len(rows) == 2
    assert rows[0]["id"] == kept.pk
    assert client.get("/api/v1/delegated-powers/", {"county": "371522"}).json()["results"] == []
