"""A clerk types a month's case counts in the browser: any day of the month, one row per month, own county only."""

import pytest
from django.urls import reverse

from delegation.models import MonthlyCaseCount
from tests.factories import DelegatedPowerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory()


def _post(client, power, **changes):
    data = {"power": power.pk, "month": "2025-03-17", "handled_by": "town", "accepted": 12, "closed": 10, **changes}
    return client.post(reverse("delegation:case-counts_create"), data)


def test_clerk_records_a_month_on_its_first_day(client, power):
    client.force_login(UserFactory(region=power.town.county))
    response = _post(client, power)
    assert response.status_code == 302
    row = MonthlyCaseCount.objects.get()
    assert (str(row.month), row.accepted, row.closed) == ("2025-03-01", 12, 10)


def test_a_second_row_for_the_same_month_is_refused_at_the_form(client, power):
    client.force_login(UserFactory(region=power.town.county))
    _post(client, power)
    form = _post(client, power, month="2025-03-02").context["form"]
    assert "该事项本月已有办件量记录。" in str(form.errors)
    assert MonthlyCaseCount.objects.count() == 1


def test_negative_counts_are_refused_at_the_field(client, power):
    client.force_login(UserFactory(region=power.town.county))
    form = _post(client, power, accepted=-3).context["form"]
    assert "accepted" in form.errors
    assert not MonthlyCaseCount.objects.exists()


def test_another_countys_power_cannot_be_chosen(client, power):
    client.force_login(UserFactory(region__code="371522", region__name="莘县"))
    form = _post(client, power).context["form"]
    assert "power" in form.errors
    assert not MonthlyCaseCount.objects.exists()


def test_the_page_and_the_edit_form_name_the_power(client, power):
    from tests.factories import MonthlyCaseCountFactory

    row = MonthlyCaseCountFactory(power=power)
    client.force_login(UserFactory(region=power.town.county))
    page = client.get(reverse("delegation:case-counts_detail", args=[row.pk])).content.decode()
    assert f"{power.town.name} · {power.item.name}" in page
    form = client.get(reverse("delegation:case-counts_update", args=[row.pk])).content.decode()
    assert f"当前:{power.town.name} · {power.item.name}" in form


def test_a_refused_new_count_still_names_the_power_typed(client, power):
    client.force_login(UserFactory(region=power.town.county))
    page = _post(client, power, accepted=-3).content.decode()
    assert f"当前:{power.town.name} · {power.item.name}" in page
