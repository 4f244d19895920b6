"""Read-only statistics and alerts over REST, scoped like every other read (core.scoping)."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors
from ..filters import AlertFilterSet, FigureFilterSet, PowerFigureFilterSet, RecomputeRunFilterSet
from ..models import RecomputeRun
from .serializers import (
    AlertSerializer,
    FigureSerializer,
    PowerFigureSerializer,
    PowerTotalsSerializer,
    RecomputeRunSerializer,
)

PERIOD_PARAMS = ("period", "period_from", "period_to")


class LatestPeriodMixin:
    """Without a period filter, lists show the latest computed month, not every month summed."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not any(self.request.query_params.get(p) for p in PERIOD_PARAMS):
            queryset = queryset.filter(period=selectors.latest_period(queryset))
        return queryset


class PowerFigureViewSet(LatestPeriodMixin, viewsets.ReadOnlyModelViewSet):
    """Delegated powers per scope, month, power type and mode: delegated, running, unused, not taken over."""

    serializer_class = PowerFigureSerializer
    filterset_class = PowerFigureFilterSet
    ordering_fields = ["period", "scope_kind", "scope_id", "power_type", "mode", "delegated"]

    def get_queryset(self):
        return selectors.power_figure_list(user=self.request.user).select_related("region", "town")

    @extend_schema(responses=PowerTotalsSerializer)
    @action(detail=False)
    def summary(self, request):
        """Totals and rates over the filtered rows (e.g. ?scope_kind=city&region=370500)."""
        queryset = self.filter_queryset(self.get_queryset())
        totals = selectors.power_totals(queryset)
        totals["period"] = selectors.latest_period(queryset)
        return Response(PowerTotalsSerializer(totals).data)


class FigureViewSet(LatestPeriodMixin, viewsets.ReadOnlyModelViewSet):
    """Headcount, assessment, fiscal, task and alert figures per scope and month."""

    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    ordering_fields = ["period", "scope_kind", "scope_id", "metric", "key"]

    def get_queryset(self):
        return selectors.figure_list(user=self.request.user).select_related("region", "town")


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Policy alerts, open and closed, with their messages in Chinese and English."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    ordering_fields = ["since", "opened_at", "closed_at", "rule"]

    def get_queryset(self):
        return selectors.alert_list(user=self.request.user)


class RecomputeRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Every recompute run (administrators only; others see an empty list)."""

    serializer_class = RecomputeRunSerializer
    filterset_class = RecomputeRunFilterSet
    ordering_fields = ["started_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return RecomputeRun.objects.none()
        return selectors.recompute_run_list(user=self.request.user)
