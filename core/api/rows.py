"""The list read path: rows read as ``values()`` and converted field by field, the serializer's own JSON.

A list page of 100 delegated powers spent most of its time in DRF building model instances and
asking every field of every row for its attribute and representation (~75 µs a row). For a
serializer whose readable fields are plain columns, to-one ids and columns reached through required
to-one relations, the same JSON comes from the columns alone: read them with ``values()`` and apply
the one conversion each field type needs. Any other serializer (nested lists, many-to-many, a field
type or column type not listed here) keeps DRF's path, so nothing is ever represented differently;
``tests/api/test_ledger_models.py`` holds every listed row equal to the same row read alone.
"""

from functools import cache, partial

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def _as_read(value):
    return value


def _iso_date(value):
    return value.isoformat()


def _iso_datetime(value, zone):
    # DRF's DateTimeField: in the current time zone, ISO 8601, UTC written as "Z". ``represent`` binds
    # the zone, read once a page: ``localtime`` would look it up again for each of a page's 200 values.
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _is_iso(field, default):
    return getattr(field, "format", default) == ISO_8601


# For each serializer field type DRF's ModelSerializer builds: whether it can read a given model
# column's value, and the conversion that gives the same JSON as its ``to_representation``.
CONVERSIONS = {
    # str, int and bool columns: DRF's str(), int() and True/False give the value back unchanged.
    serializers.CharField: lambda field, column: isinstance(column, models.CharField | models.TextField) and _as_read,
    serializers.ChoiceField: lambda field, column: (
        isinstance(column, models.CharField | models.IntegerField) and _as_read
    ),
    serializers.IntegerField: lambda field, column: isinstance(column, models.IntegerField) and _as_read,
    serializers.BigIntegerField: lambda field, column: (
        isinstance(column, models.IntegerField)
        and not getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        and _as_read
    ),
    serializers.BooleanField: lambda field, column: isinstance(column, models.BooleanField) and _as_read,
    serializers.DateField: lambda field, column: (
        type(column) is models.DateField and _is_iso(field, api_settings.DATE_FORMAT) and _iso_date
    ),
    serializers.DateTimeField: lambda field, column: (
        isinstance(column, models.DateTimeField)
        and settings.USE_TZ
        and _is_iso(field, api_settings.DATETIME_FORMAT)
        and getattr(field, "timezone", None) is None  # a field of its own time zone converts differently
        and _iso_datetime
    ),
    # Quantizing and the string form: DRF's own, value by value.
    serializers.DecimalField: lambda field, column: isinstance(column, models.DecimalField) and field.to_representation,
}


def _column(model, source):
    """The model field ``source`` (dotted) ends on, and its ``values()`` lookup; None unless plainly read.

    Each step before the last must be a required to-one relation: through a nullable one DRF leaves
    the key out of the row, which a column cannot tell.
    """
    *relations, name = source.split(".")
    try:
        for step in relations:
            relation = model._meta.get_field(step)
            if not (relation.many_to_one or relation.one_to_one) or relation.null or not relation.concrete:
                return None
            model = relation.related_model
        column = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not column.concrete or column.many_to_many:
        return None
    return column, source.replace(".", "__")


def _read(field, model):
    """(lookup, conversion) for one serializer field, or None when only DRF's path is exact."""
    if field.source == "*":
        return None
    found = _column(model, field.source)
    if found is None:
        return None
    column, lookup = found
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        # The to-one column holds the related row's id, which is what the field shows.
        convert = (column.many_to_one or column.one_to_one) and field.pk_field is None and _as_read
    else:
        convert = not column.is_relation and type(field) in CONVERSIONS and CONVERSIONS[type(field)](field, column)
    return (lookup, convert) if convert else None


class RowPlan:
    """For each readable field of a serializer: its key, the column it reads, the conversion it applies."""

    def __init__(self, fields):
        self.fields = fields

    def values(self, queryset, *extra):
        """``queryset`` reading the plan's columns, and ``extra`` ones (a cursor's order), as dicts."""
        lookups = dict.fromkeys([lookup for _name, lookup, _convert in self.fields] + list(extra))
        return queryset.prefetch_related(None).values(*lookups)

    def represent(self, rows):
        """The JSON-ready dicts of ``rows`` (read by ``values``), keyed and ordered as the serializer's."""
        zone = timezone.get_current_timezone()
        fields = [
            (name, lookup, partial(_iso_datetime, zone=zone) if convert is _iso_datetime else convert)
            for name, lookup, convert in self.fields
        ]
        return [
            {name: None if (value := row[lookup]) is None else convert(value) for name, lookup, convert in fields}
            for row in rows
        ]


@cache
def row_plan(serializer_class):
    """The RowPlan of ``serializer_class``, or None when one of its fields needs DRF's own path."""
    model = serializer_class.Meta.model
    fields = []
    for field in serializer_class().fields.values():
        if field.write_only:
            continue
        read = _read(field, model)
        if read is None:
            return None
        fields.append((field.field_name, *read))
    return RowPlan(fields)
