import django_filters

from core.filters import LedgerFilterSet

from . import models


class FiscalArrangementFilterSet(LedgerFilterSet):
    class Meta:
        model = models.FiscalArrangement
        fields = ["kind", "unit", "document"]


class FiscalYearRecordFilterSet(LedgerFilterSet):
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    kind = django_filters.ChoiceFilter(field_name="arrangement__kind", choices=models.FiscalArrangement.Kind.choices)

    class Meta:
        model = models.FiscalYearRecord
        fields = ["arrangement", "year"]
