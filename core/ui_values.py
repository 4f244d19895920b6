"""How values appear to a clerk: table cells, column labels, and raw values from history diffs."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from core.units import amount_unit, format_amount, format_month, in_unit, is_money

# Date fields that hold the first day of a month and mean the month.
MONTH_FIELDS = {"month", "period"}


def display_value(model, name, value, obj=None):
    field = model._meta.get_field(name)
    if value is None or value == "":
        return ""
    if is_money(field):
        return format_amount(value, amount_unit(obj))
    if name in MONTH_FIELDS and isinstance(value, dt.date):
        return format_month(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def model_field(obj, name):
    """The model field ``name`` of ``obj``, or None for a property or an annotation."""
    try:
        return obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def resolve_field(model, lookup):
    """The model field at the end of a ``a__b__c`` lookup."""
    parts = lookup.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


def column_label(model, lookup):
    """A related row's name is labelled by the relation (``town__name`` → 镇), anything else by its field."""
    parts = lookup.split("__")
    if len(parts) > 1 and parts[-1] in ("name", "title"):
        lookup = "__".join(parts[:-1])
    try:
        return resolve_field(model, lookup).verbose_name
    except FieldDoesNotExist:
        return lookup


def cell(obj, lookup, raw=False):
    """The value shown for ``lookup`` on ``obj``: choice labels, related rows' names.

    With ``raw``, numbers and dates stay typed (for spreadsheets); everything else is text.
    """
    parts = lookup.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    display = getattr(obj, f"get_{parts[-1]}_display", None)
    if display is not None:
        return str(display())
    value = getattr(obj, parts[-1], None)
    if value is None:
        return ""
    if is_money(model_field(obj, parts[-1])):
        unit = amount_unit(obj)
        return in_unit(value, unit) if raw else format_amount(value, unit)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if parts[-1] in MONTH_FIELDS and isinstance(value, dt.date) and not raw:
        return format_month(value)
    if raw and isinstance(value, int | float | Decimal | dt.date):
        return value
    return str(value)
