"""Amounts, land and shares as the county clerks write them: 万元 with separators, 亩, one-decimal percent.

The database keeps money in 元 with two decimals, as the documents' totals are exact in 元; every page,
form, alert and export converts at its edge through this module, so the convention lives in one place.
"""

from decimal import Decimal

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")
# How an amount is shown: most in 万元; a per-head grant in 元, as the documents give it; a land quota in 亩.
WAN_YUAN = "wan_yuan"
YUAN = "yuan"
MU = "mu"
UNIT_LABELS = {WAN_YUAN: _("万元"), YUAN: _("元"), MU: _("亩")}


class MoneyField(models.DecimalField):
    """A DecimalField of 元 (or 亩 for a land quota) that pages show in the clerks' unit.

    Migrations see a plain DecimalField: the difference is only in how values are shown and typed.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def is_money(field):
    return isinstance(field, MoneyField)


def amount_unit(obj):
    """The unit ``obj``'s amounts are shown in: the row says (``amount_unit``), else 万元."""
    return getattr(obj, "amount_unit", WAN_YUAN)


def trimmed(value, places, separators=True):
    """``value`` rounded to ``places`` decimals, without trailing zeros (1,920 not 1,920.000000)."""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):{',' if separators else ''}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def in_unit(value, unit):
    """The stored value (元 or 亩) as a number in ``unit``; exact, no rounding."""
    value = Decimal(value)
    return value / TEN_THOUSAND if unit == WAN_YUAN else value


def from_unit(value, unit):
    """A number typed in ``unit`` as the stored value (元 or 亩)."""
    return value * TEN_THOUSAND if unit == WAN_YUAN else value


def format_amount(value, unit=WAN_YUAN):
    """``19200000.00`` → ``1,920 万元``; ``15000`` in 元 → ``15,000.00 元``; land ``100`` → ``100 亩``."""
    if value is None or value == "":
        return ""
    if unit == YUAN:
        return f"{Decimal(value):,.2f} {UNIT_LABELS[unit]}"
    # 万元 keep every 元 of the stored value: six decimals at most, trailing zeros dropped.
    return f"{trimmed(in_unit(value, unit), 6 if unit == WAN_YUAN else 2)} {UNIT_LABELS[unit]}"


def format_share(value):
    """A share in percent with one decimal: ``44.6%``."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.1f}%"


def format_month(value):
    """A month as the language writes it: 2026年11月 in Chinese, November 2026 in English."""
    if not value:
        return ""
    return date_format(value, "YEAR_MONTH_FORMAT")
