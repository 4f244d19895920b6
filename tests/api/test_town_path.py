"""Rows whose town_path stops above town level (power items → department) belong to no town."""

import pytest

from core.scoping import town_of
from tests.factories import OrganFactory, PowerItemFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_power_item_belongs_to_no_town(county_a):
    """Otherwise its department's id would be announced to the statistics as a changed town."""
    item = PowerItemFactory(source_department__county=county_a)
    assert town_of(item) is None


def test_organ_still_belongs_to_its_town(town_a):
    assert town_of(OrganFactory(town=town_a)) == town_a


def test_town_filter_on_power_items_is_empty_not_a_crash(users, county_a, town_a):
    PowerItemFactory(source_department__county=county_a)
    response = client_for(users["editor_a"]).get("/api/v1/power-items/", {"town": town_a.code})
    assert response.status_code == 200
    assert response.json()["results"] == []
