"""Call figures on the region and town dashboards: reachable at any month, even in a town without powers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stats.services import recompute_all
from territory.services import call_raise

pytestmark = pytest.mark.django_db


def _month(day):
    return day.replace(day=1)


def test_a_town_without_delegated_powers_has_its_call_months_on_the_dashboard(client, world):
    """Its months come from every strand's figures, the calls' included, not the powers' alone."""
    call_raise(user=world["clerk"], town=world["town"], department=world["environment"], subject="河道排污")
    recompute_all(triggered_by="test")
    client.force_login(world["office"])
    month = _month(timezone.localdate())
    for url in (reverse("stats:town", args=[world["town"].code]), reverse("stats:region", args=[world["county"].code])):
        response = client.get(url)
        assert response.context["period"] == month, url
        assert f'value="{month:%Y-%m}" selected' in response.content.decode()
