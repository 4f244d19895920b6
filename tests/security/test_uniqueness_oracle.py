"""A refused write must not tell an editor what another county holds.

An editor who tries a town code or an implementation code already used in another county is told
exactly what they would be told for a code nobody uses elsewhere: nothing about the other county.
"""

import pytest
from django.urls import reverse

from tests.api.conftest import client_for
from tests.factories import CountyFactory, DepartmentFactory, PowerItemFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties():
    mine, theirs = CountyFactory(), CountyFactory(code="371522", name="莘县")
    return mine, theirs, UserFactory(region=mine)


def _messages(response):
    body = response.json()
    return {field: [str(m) for m in messages] for field, messages in body["fields"].items()}


def test_a_town_code_of_another_county_reads_like_any_code_that_does_not_fit(two_counties):
    mine, theirs, editor = two_counties
    TownFactory(county=theirs, code="371522103000")
    api = client_for(editor)
    taken = api.post("/api/v1/towns/", {"code": "371522103000", "name": "新镇", "county": mine.pk}, format="json")
    free = api.post("/api/v1/towns/", {"code": "371522104000", "name": "新镇", "county": mine.pk}, format="json")
    assert taken.status_code == free.status_code == 400
    assert _messages(taken) == _messages(free)
    assert "已存在" not in taken.content.decode()


def test_an_implementation_code_used_in_another_county_is_free_in_mine(two_counties):
    """Codes are unique within a county, where case-count feeds look them up (town code + code)."""
    mine, theirs, editor = two_counties
    PowerItemFactory(source_department=DepartmentFactory(county=theirs), implementation_code="CODE-1")
    department = DepartmentFactory(county=mine)
    api = client_for(editor)
    body = {"name": "新事项", "type_code": "01", "implementation_code": "CODE-1", "source_department": department.pk}
    created = api.post("/api/v1/power-items/", body, format="json")
    assert created.status_code == 201, created.content
    # Within the county the code stays unique, and the editor is told so.
    again = api.post("/api/v1/power-items/", {**body, "name": "另一事项"}, format="json")
    assert again.status_code == 400
    assert _messages(again) == {"implementation_code": ["该实施编码已被本县其他事项使用。"]}


def test_the_browser_form_tells_nothing_of_another_county_either(client, two_counties):
    mine, theirs, editor = two_counties
    PowerItemFactory(source_department=DepartmentFactory(county=theirs), implementation_code="CODE-2")
    department = DepartmentFactory(county=mine)
    client.force_login(editor)
    response = client.post(
        reverse("delegation:items_create"),
        {"name": "新事项", "type_code": "01", "implementation_code": "CODE-2", "source_department": department.pk},
    )
    assert response.status_code == 302
