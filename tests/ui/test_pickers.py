"""Region and town filters are pickers of names with codes, within the user's scope, pages and lookup alike."""

import re

import pytest
from django.urls import reverse

from core import pickers
from tests.factories import CountyFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    linqing, shen = CountyFactory(), CountyFactory(code="371522", name="莘县")
    return {
        "mine": TownFactory(county=linqing, name="烟店镇"),
        "other": TownFactory(county=shen, name="古云镇"),
        "editor": UserFactory(region=linqing),
    }


def select(page, name):
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no <select name={name}>"
    return match.group(0)


def test_list_filters_offer_names_with_codes_of_the_users_scope_only(client, world):
    client.force_login(world["editor"])
    page = client.get(reverse("reforms:towns_list")).content.decode()
    towns = select(page, "town")
    assert "data-picker" in towns
    assert f'value="{world["mine"].code}">烟店镇 {world["mine"].code}</option>' in towns
    assert "古云镇" not in towns
    assert world["other"].code not in towns
    assert "临清市 371581" in select(page, "county")
    assert "莘县" not in select(page, "county")
    assert "莘县" not in select(page, "region")


def test_a_code_in_the_query_string_still_filters_and_is_shown_chosen(client, world):
    client.force_login(world["editor"])
    TownFactory(county=world["mine"].county, name="先锋街道")
    page = client.get(reverse("reforms:towns_list"), {"town": world["mine"].code}).content.decode()
    assert "共 1 条" in page
    assert f'value="{world["mine"].code}" selected>' in select(page, "town")


def test_lookup_searches_names_and_codes_within_scope(client, world):
    client.force_login(world["editor"])
    url = reverse("picker_lookup", args=["town"])
    assert client.get(url, {"q": "镇"}).json() == {
        "results": [{"value": world["mine"].code, "text": f"烟店镇 {world['mine'].code}"}]
    }
    assert client.get(url, {"q": "古云"}).json() == {"results": []}
    assert client.get(url, {"q": world["other"].code}).json() == {"results": []}
    assert client.get(url, {"q": world["mine"].code[:9]}).json()["results"][0]["value"] == world["mine"].code
    counties = client.get(reverse("picker_lookup", args=["county"]), {"q": ""}).json()["results"]
    assert counties == [{"value": "371581", "text": "临清市 371581"}]
    assert client.get(reverse("picker_lookup", args=["users"])).status_code == 404


def test_lookup_needs_a_signed_in_user(client, world):
    response = client.get(reverse("picker_lookup", args=["town"]), {"q": "镇"})
    assert response.status_code == 302


def test_a_large_scope_lists_only_the_chosen_town_and_searches_the_lookup(client, world, monkeypatch):
    monkeypatch.setattr(pickers, "INLINE_MAX", 1)
    TownFactory(county=world["mine"].county, name="先锋街道")
    client.force_login(world["editor"])
    page = client.get(reverse("reforms:towns_list"), {"town": world["mine"].code}).content.decode()
    towns = select(page, "town")
    assert 'data-lookup="/pickers/town/"' in towns
    assert "先锋街道" not in towns
    assert f'value="{world["mine"].code}" selected>' in towns


def test_choosing_a_county_narrows_the_town_picker(client, world, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("reforms:towns_list"), {"county": "371522"}).content.decode()
    towns = select(page, "town")
    assert "古云镇" in towns
    assert "烟店镇" not in towns


def test_form_fields_pick_by_name_with_the_code_beside_it(client, world):
    client.force_login(world["editor"])
    page = client.get(reverse("reforms:plans_create")).content.decode()
    town = select(page, "town")
    assert "data-picker" in town
    assert f"烟店镇 {world['mine'].code}" in town
    assert "古云镇" not in town


def test_the_alerts_board_filters_by_the_same_scoped_pickers(client, world):
    client.force_login(world["editor"])
    page = client.get(reverse("stats:alerts")).content.decode()
    towns = select(page, "town")
    assert "data-picker" in towns
    assert "烟店镇" in towns
    assert "古云镇" not in towns


def test_the_api_takes_the_code_and_runs_no_picker_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["editor"])
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/towns/", {"town": world["mine"].code})
    assert [t["code"] for t in response.json()["results"]] == [world["mine"].code]
    # The pickers read at most INLINE_MAX + 1 rows; the API never renders them, so never reads them.
    assert not [q["sql"] for q in queries.captured_queries if f"LIMIT {pickers.INLINE_MAX + 1}" in q["sql"]]
