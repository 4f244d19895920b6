"""Money in 万元 with separators and the unit, land in 亩, shares with one decimal."""

from decimal import Decimal

import pytest

from core.units import MU, YUAN, format_amount, format_share, from_unit, in_unit


@pytest.mark.parametrize(
    ("stored", "unit", "shown"),
    [
        (Decimal("19200000.00"), None, "1,920 万元"),
        (Decimal("32700000"), None, "3,270 万元"),
        (Decimal("5000"), None, "0.5 万元"),
        (Decimal("1234567.50"), None, "123.45675 万元"),
        (Decimal("0.05"), None, "0.000005 万元"),
        (Decimal("15000"), YUAN, "15,000.00 元"),
        (Decimal("1300"), MU, "1,300 亩"),
    ],
)
def test_amounts_read_in_the_clerks_units(stored, unit, shown):
    assert format_amount(stored, *([unit] if unit else [])) == shown


def test_typed_wan_yuan_are_stored_in_yuan_exactly():
    assert from_unit(Decimal("1920.5"), "wan_yuan") == Decimal("19205000")
    assert in_unit(Decimal("19205000"), "wan_yuan") == Decimal("1920.5")


def test_shares_have_one_decimal():
    assert format_share(Decimal("44.6268")) == "44.6%"
