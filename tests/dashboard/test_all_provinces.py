"""A user whose scope holds several provinces opens the dashboards on an overview of all of them."""

import pytest
from django.urls import reverse

from tests.factories import ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provinces():
    return [ProvinceFactory(), ProvinceFactory(code="510000", name="四川省")]


def test_administrator_of_several_provinces_lands_on_all_of_them(client, admin_user, provinces):
    client.force_login(admin_user)
    response = client.get(reverse("stats:home"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("stats:provinces")
    for province in provinces:
        assert f'href="{reverse("stats:region", args=[province.code])}"' in page
        assert province.name in page


def test_user_of_one_region_still_lands_on_it(client, provinces):
    client.force_login(UserFactory(region=provinces[1], role="reviewer"))
    response = client.get(reverse("stats:home"))
    assert response["Location"] == reverse("stats:region", args=["510000"])


def test_overview_of_provinces_lists_only_those_in_reach(client, provinces):
    client.force_login(UserFactory(region=provinces[1], role="reviewer"))
    page = client.get(reverse("stats:provinces")).content.decode()
    assert "四川省" in page
    assert "山东省" not in page


def test_a_province_page_leads_back_to_all_of_them(client, admin_user, provinces):
    client.force_login(admin_user)
    page = client.get(reverse("stats:region", args=["510000"])).content.decode()
    assert f'href="{reverse("stats:provinces")}"' in page
