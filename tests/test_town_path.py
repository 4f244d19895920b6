"""A row whose town_path stops short of a town (a power item → its department) has no town."""

import pytest

from core.scoping import town_of
from delegation.filters import PowerItemFilterSet
from delegation.models import PowerItem
from tests.factories import DelegatedPowerFactory, PowerItemFactory

pytestmark = pytest.mark.django_db


def test_power_item_has_no_town():
    assert town_of(PowerItemFactory()) is None


def test_delegated_power_still_has_its_town():
    power = DelegatedPowerFactory()
    assert town_of(power) == power.town


def test_town_filter_on_power_items_answers_empty_instead_of_failing():
    item = PowerItemFactory()
    filterset = PowerItemFilterSet({"town": "371581109000"}, queryset=PowerItem.objects.all())
    assert list(filterset.qs) == []
    assert PowerItem.objects.filter(pk=item.pk).exists()
