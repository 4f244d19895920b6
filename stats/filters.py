import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet
from delegation.models import DelegatedPower, PowerType

from . import models


class ScopedFigureFilterSet(LedgerFilterSet):
    """Filters shared by the summary tables: scope, period range, plus region and town codes."""

    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte", label=_("起始月份"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte", label=_("截止月份"))
    scope_kind = django_filters.ChoiceFilter(choices=models.ScopeKind.choices, label=_("统计范围"))
    scope_id = django_filters.NumberFilter(label=_("范围编号"))


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
