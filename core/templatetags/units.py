"""Template filters for amounts in the clerks' units (core.units)."""

from django import template

from core.units import WAN_YUAN, format_amount, in_unit, trimmed

register = template.Library()


@register.filter
def amount(value, unit=WAN_YUAN):
    """``19200000`` → ``1,920 万元``."""
    return format_amount(value, unit)


@register.filter
def wan_yuan_number(value):
    """``19200000`` → ``1,920``, for a column whose header names the unit."""
    if value is None or value == "":
        return ""
    return trimmed(in_unit(value, WAN_YUAN), 6)
