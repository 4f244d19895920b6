"""What integrators rely on: complete cursor walks, If-Match: *, bulk errors under the field at fault."""

import datetime as dt

import pytest

from delegation.api.views import DelegatedPowerViewSet, MonthlyCaseCountViewSet
from delegation.models import MonthlyCaseCount
from tests.factories import DelegatedPowerFactory, MonthlyCaseCountFactory, OrganFactory, TownFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_ties(town_a):
    """34 powers over three delegation dates, a third never taken over (take_over_on NULL)."""
    powers = []
    for n in range(34):
        taken = n % 3 != 0
        powers.append(
            DelegatedPowerFactory(
                town=town_a,
                delegated_on=dt.date(2019, 5, 1 + n % 3),
                take_over_status="taken_over" if taken else "not_taken_over",
                take_over_on=dt.date(2019, 6, 1 + n % 2) if taken else None,
                not_taken_over_cause="" if taken else "no_trained_staff",
            )
        )
    for power in powers[:12]:
        for month in (1, 2, 3):
            MonthlyCaseCountFactory(power=power, month=dt.date(2025, month, 1))
    return powers


def walk(client, url, ordering):
    """Every id a client collects by following ``next`` from the first page."""
    ids, pages = [], 0
    response = client.get(url, {"ordering": ordering, "page_size": 7})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        pages += 1
        assert pages < 100
        if not body["next"]:
            return ids
        response = client.get(body["next"])


def orderings(viewset, extra=()):
    fields = dict.fromkeys([*viewset.ordering_fields, *extra])
    return [prefix + field for field in fields for prefix in ("", "-")]


@pytest.mark.parametrize("ordering", orderings(DelegatedPowerViewSet, extra=["take_over_on"]))
def test_delegated_power_cursor_returns_every_row_once(users, many_ties, ordering):
    ids = walk(client_for(users["editor_a"]), "/api/v1/delegated-powers/", ordering)
    assert sorted(ids) == sorted(p.pk for p in many_ties)


@pytest.mark.parametrize("ordering", orderings(MonthlyCaseCountViewSet))
def test_case_count_cursor_returns_every_row_once(users, many_ties, ordering):
    ids = walk(client_for(users["editor_a"]), "/api/v1/case-counts/", ordering)
    assert sorted(ids) == sorted(MonthlyCaseCount.objects.values_list("pk", flat=True))
    assert len(ids) == 36


def test_if_match_star_matches_the_current_version(users, town_a):
    organ = OrganFactory(town=town_a, name="综合行政执法局")
    client = client_for(users["editor_a"])
    response = client.patch(f"/api/v1/organs/{organ.pk}/", {"name": "便民服务中心"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert response.json()["name"] == "便民服务中心"
    assert client.delete(f"/api/v1/organs/{organ.pk}/", HTTP_IF_MATCH="*").status_code == 204
    assert client.get(f"/api/v1/organs/{organ.pk}/").status_code == 404


BULK = "/api/v1/case-counts/bulk/"


def _item(town_code, implementation_code):
    return {
        "town_code": town_code,
        "implementation_code": implementation_code,
        "month": "2026-10",
        "accepted": 3,
        "closed": 2,
    }


def test_bulk_unknown_codes_are_reported_under_their_fields(users, town_a):
    power = DelegatedPowerFactory(town=town_a)
    other_county_power = DelegatedPowerFactory(town=TownFactory(county=users["editor_b"].region))
    body = {
        "items": [
            _item(power.town.code, power.item.implementation_code),
            _item("371581999000", power.item.implementation_code),  # no such town
            _item(power.town.code, "NO-SUCH-CODE"),  # a town of ours without that item
            # Another county's town reads exactly like a town that does not exist.
            _item(other_county_power.town.code, other_county_power.item.implementation_code),
        ]
    }
    response = client_for(users["editor_a"]).post(BULK, body, format="json")
    assert response.status_code == 400
    items = response.json()["fields"]["items"]
    assert set(items) == {"1", "2", "3"}
    assert set(items["1"]) == {"town_code"}
    assert set(items["2"]) == {"implementation_code"}
    assert items["3"] == items["1"]
    assert MonthlyCaseCount.objects.count() == 0


@pytest.mark.parametrize(("ordering", "ids_descending"), [("kind", False), ("-kind", True)])
def test_page_number_lists_break_ties_by_id_so_pages_neither_skip_nor_repeat(users, town_a, ordering, ids_descending):
    organs = [OrganFactory(town=town_a, name=f"机构{n}", kind="institution") for n in range(15)]
    client = client_for(users["editor_a"])
    ids = []
    for page in (1, 2, 3):
        response = client.get("/api/v1/organs/", {"ordering": ordering, "page_size": 6, "page": page})
        assert response.status_code == 200
        ids += [row["id"] for row in response.json()["results"]]
    assert ids == sorted((o.pk for o in organs), reverse=ids_descending)
