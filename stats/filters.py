import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet
from delegation.models import DelegatedPower, PowerType

from . import models

# The ledger's years run from 2000 to 2099, as its months do.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (or any day of it), read as its first day: the period of the summary rows."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("统计月份须在 2000 年至 2099 年之间。"), code="invalid")
        return day.replace(day=1) if day else day


class MonthFilter(django_filters.DateFilter):
    field_class = MonthField


class YearField(forms.IntegerField):
    """A year of the ledger's era (2000–2099), like the months; any other is refused, not looked up."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value <= LAST_YEAR:
            raise forms.ValidationError(_("统计年度须在 2000 年至 2099 年之间。"), code="invalid")


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class ScopedFigureFilterSet(LedgerFilterSet):
    """Filters shared by the summary tables: scope, month or year (its year-end figures), period range,
    plus region and town codes."""

    period = MonthFilter(label=_("统计月份(YYYY-MM)"))
    year = YearFilter(method="filter_year", label=_("统计年度(年末数)"))

    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte", label=_("起始月份"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte", label=_("截止月份"))
    scope_kind = django_filters.ChoiceFilter(choices=models.ScopeKind.choices, label=_("统计范围"))
    scope_id = django_filters.NumberFilter(label=_("范围编号"))

    def filter_year(self, queryset, name, value):
        """The year's last computed month: December, or the latest month of the current year."""
        in_year = queryset.filter(period__year=int(value))
        latest = in_year.order_by("-period").values_list("period", flat=True).first()
        return in_year.filter(period=latest)


class PowerFigureFilterSet(ScopedFigureFilterSet):
    power_type = django_filters.ChoiceFilter(choices=PowerType.choices, label=_("权力类型"))
    mode = django_filters.ChoiceFilter(choices=DelegatedPower.Mode.choices, label=_("下放方式"))

    class Meta:
        model = models.PowerFigure
        fields = ["period"]


class FigureFilterSet(ScopedFigureFilterSet):
    metric = django_filters.ChoiceFilter(choices=models.Metric.choices, label=_("指标"))

    class Meta:
        model = models.Figure
        fields = ["period", "key"]


class AlertFilterSet(LedgerFilterSet):
    since_from = django_filters.DateFilter(field_name="since", lookup_expr="gte", label=_("起始日期不早于"))
    since_to = django_filters.DateFilter(field_name="since", lookup_expr="lte", label=_("起始日期不晚于"))

    class Meta:
        model = models.Alert
        fields = ["rule", "is_open"]


class RecomputeRunFilterSet(django_filters.FilterSet):
    class Meta:
        model = models.RecomputeRun
        fields = ["outcome", "scope", "triggered_by"]
