"""The amount due by an arrangement's rule follows from the year's revenue, whatever the base rule."""

from decimal import Decimal

import pytest

from core.services import record_create
from finance.models import FiscalYearRecord
from tests.factories import FiscalArrangementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _year(arrangement, year, revenue, **extra):
    editor = UserFactory(region=arrangement.town.county)
    return record_create(
        FiscalYearRecord,
        user=editor,
        data={"arrangement": arrangement, "year": year, "actual_revenue": Decimal(revenue), **extra},
    )


def test_fixed_base_year_returns_the_share_above_the_base():
    arrangement = FiscalArrangementFactory(base_amount=Decimal("82000000"), share_percent=Decimal(100))
    assert _year(arrangement, 2024, "95500000").amount_due == Decimal("13500000.00")


def test_previous_year_base_uses_last_years_revenue():
    arrangement = FiscalArrangementFactory(base_rule="previous_year", base_year=None, base_amount=None)
    _year(arrangement, 2023, "1000000")
    assert _year(arrangement, 2024, "1200000").amount_due == Decimal("200000.00")


def test_rolling_average_needs_five_earlier_years():
    arrangement = FiscalArrangementFactory(
        base_rule="rolling_average", base_year=None, base_amount=None, share_percent=Decimal(50)
    )
    assert _year(arrangement, 2020, "1000000").amount_due is None
    for year in range(2021, 2025):
        _year(arrangement, year, "1000000")
    assert _year(arrangement, 2025, "3000000").amount_due == Decimal("1000000.00")


def test_an_entered_amount_is_kept():
    arrangement = FiscalArrangementFactory()
    record = _year(arrangement, 2024, "5000000", amount_due=Decimal("10"))
    assert record.amount_due == Decimal("10")
