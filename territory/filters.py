"""One FilterSet per model, shared by the HTML lists and the API."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet

from . import models
from .selectors import Box, box_q


class ResponsibilityListFilterSet(LedgerFilterSet):
    class Meta:
        model = models.ResponsibilityList
        fields = ["batch", "document"]


class ResponsibilityItemFilterSet(LedgerFilterSet):
    withdrawn = django_filters.BooleanFilter(
        field_name="withdrawn_on", lookup_expr="isnull", exclude=True, label=_("已取消")
    )
    # Years the ledger holds (as the case-count months do); a year beyond them is refused, not searched.
    called_in = django_filters.NumberFilter(
        method="filter_called_in", label=_("该年度有呼叫"), min_value=2000, max_value=2099
    )
    not_called_in = django_filters.NumberFilter(
        method="filter_not_called_in", label=_("该年度从未被呼叫"), min_value=2000, max_value=2099
    )
    # With called_in / not_called_in: only this town's calls count (a town dashboard's never-called items).
    caller = django_filters.CharFilter(method="filter_caller", label=_("呼叫镇代码"))

    class Meta:
        model = models.ResponsibilityItem
        fields = ["responsibility_list", "category", "main_unit", "main_department", "is_generated"]

    def _calls_in(self, year):
        calls = models.Call.objects.filter(item=OuterRef("pk"), raised_at__year=year)
        caller = self.form.cleaned_data.get("caller")
        return Exists(calls.filter(town__code=caller) if caller else calls)

    def filter_called_in(self, queryset, name, value):
        return queryset.filter(self._calls_in(value))

    def filter_not_called_in(self, queryset, name, value):
        return queryset.exclude(self._calls_in(value))

    def filter_caller(self, queryset, name, value):
        return queryset  # read by the two filters above


class CallPolicyFilterSet(LedgerFilterSet):
    class Meta:
        model = models.CallPolicy
        fields = []


class CallFilterSet(LedgerFilterSet):
    box = django_filters.ChoiceFilter(method="filter_box", choices=list(Box.LABELS.items()), label=_("收件箱"))
    unlisted = django_filters.BooleanFilter(field_name="item", lookup_expr="isnull", label=_("清单外事项"))
    raised_after = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__gte", label=_("呼叫时间 起"))
    raised_before = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__lte", label=_("呼叫时间 止"))

    class Meta:
        model = models.Call
        fields = ["state", "urgency", "department", "item", "rating", "was_disputed", "reopened"]

    def filter_box(self, queryset, name, value):
        return queryset.filter(box_q(value))


class CallFigureFilterSet(LedgerFilterSet):
    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte", label=_("月份 起"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte", label=_("月份 止"))
    grain = django_filters.ChoiceFilter(
        method="filter_grain",
        choices=[("department", _("部门")), ("town", _("镇")), ("town_department", _("镇 × 部门"))],
        label=_("口径"),
    )

    class Meta:
        model = models.CallFigure
        fields = ["department"]

    def filter_grain(self, queryset, name, value):
        return queryset.filter(town__isnull=value == "department", department__isnull=value == "town")
