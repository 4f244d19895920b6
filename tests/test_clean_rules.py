"""Single-row rules that a database cannot hold are reported by Model.clean() at the right field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from finance.models import FiscalArrangement
from reforms.models import PilotProgramme, ProgrammeMembership, Region
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


def _errors(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def test_a_county_must_sit_under_a_city():
    county = Region(code="379901", name="某县", level="county", parent=f.ProvinceFactory())
    assert "上级区域的层级不正确" in _errors(county)["parent"][0]


def test_town_code_must_start_with_its_county_code():
    town = f.TownFactory.build(county=f.CountyFactory(), code="371522101000")
    assert "371581" in _errors(town)["code"][0]


def test_ended_membership_needs_a_leaving_date():
    programme = PilotProgramme.objects.create(name="试点", region=f.ProvinceFactory(), started_on=D(2019, 1, 1))
    membership = ProgrammeMembership(
        programme=programme, town=f.TownFactory(), joined_on=D(2019, 1, 1), status="revoked"
    )
    assert "left_on" in _errors(membership)


def test_power_cannot_be_delegated_before_its_catalogue_was_issued():
    power = f.DelegatedPowerFactory()
    power.delegated_on, power.take_over_on = D(2019, 4, 1), None
    assert "2019-04-09" in _errors(power)["delegated_on"][0]


def test_power_cannot_use_another_towns_catalogue():
    power = f.DelegatedPowerFactory()
    power.catalogue = f.DelegationCatalogueFactory(
        county=power.town.county, town=f.TownFactory(county=power.town.county)
    )
    assert "catalogue" in _errors(power)


def test_power_cannot_use_another_countys_catalogue_or_item():
    power = f.DelegatedPowerFactory()
    elsewhere = f.CountyFactory(code="371522", name="莘县")
    power.catalogue = f.DelegationCatalogueFactory(county=elsewhere)
    power.item = f.PowerItemFactory(source_department__county=elsewhere)
    errors = _errors(power)
    assert "catalogue" in errors
    assert "item" in errors


def test_fixed_base_year_rule_needs_a_base_year():
    arrangement = f.FiscalArrangementFactory.build(town=f.TownFactory(), base_year=None)
    assert "base_year" in _errors(arrangement)


def test_rebate_due_is_the_share_of_revenue_above_the_base():
    from decimal import Decimal

    arrangement = FiscalArrangement(share_percent=Decimal(50), base_amount=Decimal("1000000.00"))
    assert arrangement.amount_due(Decimal("1500000.00")) == Decimal("250000.00")
    assert arrangement.amount_due(Decimal("900000.00")) == Decimal("0.00")
