import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet

from . import models
from .selectors import DerivedState, in_force_q, untrained_q, with_derived_state


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
    in_force_on = django_filters.DateFilter(
        method="filter_in_force_on", label=_("有效日期"), help_text=_("只列该日有效(已下放、未收回)的事项")
    )
    untrained = django_filters.BooleanFilter(
        method="filter_untrained",
        label=_("未承接且近12个月未培训"),
        help_text=_("截至“运行状态截至”日(默认今天)未承接、且之前 12 个月内没有培训涉及的事项"),
    )
    state_as_of = django_filters.DateFilter(
        method="keep", label=_("运行状态截至"), help_text=_("按该日所在月份之前 12 个月的办件量判断;默认今天")
    )

    class Meta:
        model = models.DelegatedPower
        fields = ["catalogue", "mode", "take_over_status", "not_taken_over_cause", "withdrawn_in", "is_generated"]

    def filter_derived_state(self, queryset, name, value):
        # The state depends on a 12-month window; dashboards pass the month their figures are for.
        # The figures count the powers in force on that date; so does this list, to agree with them.
        as_of = self.form.cleaned_data.get("state_as_of") or timezone.localdate()
        return with_derived_state(queryset, as_of).filter(in_force_q(as_of), derived_state=value)

    def filter_untrained(self, queryset, name, value):
        as_of = self.form.cleaned_data.get("state_as_of") or timezone.localdate()
        return queryset.filter(untrained_q(as_of)) if value else queryset.exclude(untrained_q(as_of))

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(in_force_q(value))

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


class TrainingFilterSet(LedgerFilterSet):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = models.Training
        fields = ["department"]


class TrainingCoverageFilterSet(LedgerFilterSet):
    class Meta:
        model = models.TrainingCoverage
        fields = ["training", "power"]


class InspectionRoundFilterSet(LedgerFilterSet):
    class Meta:
        model = models.InspectionRound
        fields = ["kind"]


class ScoreItemFilterSet(LedgerFilterSet):
    class Meta:
        model = models.ScoreItem
        fields = ["inspection"]


class InspectionScoreFilterSet(LedgerFilterSet):
    town_only = django_filters.BooleanFilter(field_name="power", lookup_expr="isnull", label=_("只看全镇得分"))

    class Meta:
        model = models.InspectionScore
        fields = ["inspection", "grade", "power"]


class ItemPointsFilterSet(LedgerFilterSet):
    inspection = django_filters.NumberFilter(field_name="score__inspection", label=_("督导检查"))

    class Meta:
        model = models.ItemPoints
        fields = ["score", "item"]


class FindingFilterSet(LedgerFilterSet):
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = models.Finding
        fields = ["inspection", "status", "power"]
