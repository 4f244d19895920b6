"""Permission matrix: role × in/out of scope × method × endpoint → status.

Every object is built in county A. Editor A owns it; editor B (another county of the same city)
must not learn it exists; the city reviewer reads but never writes; anonymous callers get 401.
"""

import datetime as dt

import pytest

from tests.factories import (
    ArrangementFactory,
    CaseCountFactory,
    CatalogueFactory,
    DelegatedPowerFactory,
    DepartmentFactory,
    DocumentFactory,
    OrganFactory,
    PowerItemFactory,
    SchemeFactory,
    SecondmentFactory,
    TownFactory,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db

# endpoint → (build an object in county A, a harmless PATCH, a POST body for county A or None)
ENDPOINTS = {
    "towns": (
        lambda county, town: town,
        {"name": "改名镇"},
        lambda county, town: {"county": county.pk, "code": "371581199000", "name": "新设镇"},
    ),
    "documents": (
        lambda county, town: DocumentFactory(region=county),
        {"title": "新标题"},
        lambda county, town: {"title": "新文件", "issuer": "县政府", "region": county.pk},
    ),
    "assessment-schemes": (lambda county, town: SchemeFactory(region=county), {"name": "新方案"}, None),
    "departments": (
        lambda county, town: DepartmentFactory(county=county),
        {"name": "新部门名"},
        lambda county, town: {"county": county.pk, "name": "县数据局"},
    ),
    "power-items": (lambda county, town: PowerItemFactory(source_department__county=county), {"name": "新名"}, None),
    "catalogues": (lambda county, town: CatalogueFactory(county=county), {"title": "新目录"}, None),
    "delegated-powers": (
        lambda county, town: DelegatedPowerFactory(town=town),
        {"delegated_on": "2019-05-02"},
        None,
    ),
    "case-counts": (lambda county, town: CaseCountFactory(power__town=town), {"accepted": 6}, None),
    "organs": (
        lambda county, town: OrganFactory(town=town),
        {"name": "新机构名"},
        lambda county, town: {"town": town.pk, "kind": "institution", "name": "便民服务中心"},
    ),
    "secondments": (lambda county, town: SecondmentFactory(town=town), {"borrowing_unit": "县财政局"}, None),
    "fiscal-arrangements": (lambda county, town: ArrangementFactory(town=town), {"title": "新安排"}, None),
}

# role → expected (listed?, GET, PATCH, DELETE, POST)
EXPECTED = {
    "editor_a": (True, 200, 200, 204, 201),
    "admin": (True, 200, 200, 204, 201),
    "reviewer": (True, 200, 403, 403, 403),
    "editor_b": (False, 404, 404, 404, 400),
    "anonymous": (None, 401, 401, 401, 401),
}


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_permission_matrix(endpoint, role, users, county_a, town_a):
    build, patch, create = ENDPOINTS[endpoint]
    obj = build(county_a, town_a)
    listed, get_status, patch_status, delete_status, post_status = EXPECTED[role]
    client = client_for(users[role])
    url = f"/api/v1/{endpoint}/{obj.pk}/"

    response = client.get(f"/api/v1/{endpoint}/")
    if listed is None:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert (obj.pk in {row["id"] for row in response.json()["results"]}) is listed

    assert client.get(url).status_code == get_status
    if_match = {"HTTP_IF_MATCH": f'"{obj.version}"'}
    assert client.patch(url, patch, format="json", **if_match).status_code == patch_status
    obj.refresh_from_db()
    if_match = {"HTTP_IF_MATCH": f'"{obj.version}"'}
    assert client.delete(url, **if_match).status_code == delete_status
    if create is not None:
        response = client.post(f"/api/v1/{endpoint}/", create(county_a, town_a), format="json")
        assert response.status_code == post_status, response.content


def test_out_of_scope_object_is_never_listed_nor_reachable(users, town_a, town_b):
    client = client_for(users["editor_a"])
    codes = {row["code"] for row in client.get("/api/v1/towns/").json()["results"]}
    assert codes == {town_a.code}
    assert client.get(f"/api/v1/towns/{town_b.pk}/").status_code == 404


def test_editor_cannot_change_a_reference_row_of_the_city(users, county_a):
    """A city document is visible to the county editor (it applies downwards) but not theirs to change."""
    document = DocumentFactory(region=county_a.parent)
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
