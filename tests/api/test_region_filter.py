"""The region and county filters find the rows at or under the region a code names, at every level."""

import pytest

from reforms.models import Region
from tests.api.conftest import client_for
from tests.factories import CountyFactory, DelegatedPowerFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_region_and_county_filters_reach_down_from_a_province_a_city_and_a_county():
    linqing = DelegatedPowerFactory()
    guanxian = DelegatedPowerFactory(town=TownFactory(county=CountyFactory(code="371525", name="冠县")))
    guangrao = DelegatedPowerFactory(
        town=TownFactory(
            county=CountyFactory(code="370523", name="广饶县", parent__code="370500", parent__name="东营市")
        )
    )
    client = client_for(UserFactory(role="reviewer", region=Region.objects.get(code="370000")))
    expected = {
        "370000": {linqing.pk, guanxian.pk, guangrao.pk},
        "371500": {linqing.pk, guanxian.pk},
        "370500": {guangrao.pk},
        "371581": {linqing.pk},
        "510000": set(),
    }
    for param in ("region", "county"):
        for code, ids in expected.items():
            response = client.get("/api/v1/delegated-powers/", {param: code})
            assert response.status_code == 200
            assert {row["id"] for row in response.json()["results"]} == ids, (param, code)
