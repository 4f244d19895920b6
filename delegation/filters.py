import django_filters

from core.filters import LedgerFilterSet

from . import models


class DepartmentFilterSet(LedgerFilterSet):
    class Meta:
        model = models.Department
        fields = ["name"]


class PowerItemFilterSet(LedgerFilterSet):
    class Meta:
        model = models.PowerItem
        fields = ["type_code", "source", "source_department", "implementation_code"]


class DelegationCatalogueFilterSet(LedgerFilterSet):
    class Meta:
        model = models.DelegationCatalogue
        fields = ["document", "edition"]


class DelegatedPowerFilterSet(LedgerFilterSet):
    type_code = django_filters.ChoiceFilter(field_name="item__type_code", choices=models.PowerType.choices)
    implementation_code = django_filters.CharFilter(field_name="item__implementation_code")
    department = django_filters.NumberFilter(field_name="item__source_department")
    delegated_after = django_filters.DateFilter(field_name="delegated_on", lookup_expr="gte")
    delegated_before = django_filters.DateFilter(field_name="delegated_on", lookup_expr="lte")

    class Meta:
        model = models.DelegatedPower
        fields = ["catalogue", "mode", "take_over_status", "is_generated"]


class MonthlyCaseCountFilterSet(LedgerFilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")
    type_code = django_filters.ChoiceFilter(field_name="power__item__type_code", choices=models.PowerType.choices)
    implementation_code = django_filters.CharFilter(field_name="power__item__implementation_code")

    class Meta:
        model = models.MonthlyCaseCount
        fields = ["power", "handled_by"]
