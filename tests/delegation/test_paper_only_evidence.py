"""明放暗不放 evidence: the months the county department handled a power's cases while the town handled none."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import DelegatedPowerFactory, MonthlyCaseCountFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def power():
    power = DelegatedPowerFactory(item__name="建筑垃圾处置违法处罚")
    MonthlyCaseCountFactory(power=power, month=D(2025, 1, 1), handled_by="county_department", accepted=7, closed=6)
    MonthlyCaseCountFactory(power=power, month=D(2025, 2, 1), handled_by="county_department", accepted=3, closed=3)
    MonthlyCaseCountFactory(power=power, month=D(2025, 2, 1), handled_by="town", accepted=2, closed=2)
    MonthlyCaseCountFactory(power=power, month=D(2025, 3, 1), handled_by="county_department", accepted=5, closed=5)
    MonthlyCaseCountFactory(power=power, month=D(2025, 3, 1), handled_by="town", accepted=0, closed=0)
    return power


def test_page_lists_the_months_with_counts(client, power):
    client.force_login(UserFactory(role="reviewer", region=power.town.county))
    response = client.get(reverse("delegation:paper_only_evidence", args=[power.pk]))
    page = response.content.decode()
    assert "建筑垃圾处置违法处罚" in page
    assert "2025-01" in page
    assert "2025-03" in page
    assert "2025-02" not in page  # the town handled cases that month
    assert "有 2 个月县直部门仍受理该事项(共 12 件)" in page


def test_another_countys_power_is_not_found(client, power):
    client.force_login(UserFactory(region=DelegatedPowerFactory(town__county__code="371522").town.county))
    assert client.get(reverse("delegation:paper_only_evidence", args=[power.pk])).status_code == 404


def test_power_page_links_to_the_evidence(client, power):
    client.force_login(UserFactory(region=power.town.county))
    page = client.get(reverse("delegation:powers_detail", args=[power.pk])).content.decode()
    assert reverse("delegation:paper_only_evidence", args=[power.pk]) in page
