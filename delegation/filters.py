import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet

from . import models
from .selectors import DerivedState, with_derived_state


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
    derived_state = django_filters.ChoiceFilter(
        method="filter_derived_state", choices=list(DerivedState.LABELS.items()), label=_("运行状态")
    )
    state_as_of = django_filters.DateFilter(
        method="keep", label=_("运行状态截至"), help_text=_("按该日所在月份之前 12 个月的办件量判断;默认今天")
    )

    class Meta:
        model = models.DelegatedPower
        fields = ["catalogue", "mode", "take_over_status", "is_generated"]

    def filter_derived_state(self, queryset, name, value):
        # The state depends on a 12-month window; dashboards pass the month their figures are for.
        as_of = self.form.cleaned_data.get("state_as_of")
        return with_derived_state(queryset, as_of).filter(derived_state=value)

    def keep(self, queryset, name, value):
        return queryset


class MonthlyCaseCountFilterSet(LedgerFilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")
    type_code = django_filters.ChoiceFilter(field_name="power__item__type_code", choices=models.PowerType.choices)
    implementation_code = django_filters.CharFilter(field_name="power__item__implementation_code")

    class Meta:
        model = models.MonthlyCaseCount
        fields = ["power", "handled_by"]
