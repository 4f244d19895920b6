"""Read-only statistics and alerts over REST, scoped like every other read (core.scoping)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import LedgerPermission

from .. import selectors, services
from ..filters import AlertFilterSet, FigureFilterSet, PowerFigureFilterSet, RecomputeRunFilterSet
from ..models import RecomputeRun
from .serializers import (
    AlertSerializer,
    FigureSerializer,
    PowerFigureSerializer,
    PowerTotalsSerializer,
    RecomputeRequestedSerializer,
    RecomputeRequestSerializer,
    RecomputeRunSerializer,
)

PERIOD_PARAMS = ("period", "period_from", "period_to", "year")
SCOPE_PARAMS = ("region", "county", "town")


class ScopeParamsMixin:
    """A region or town filter naming a scope out of the caller's reach answers 404, as its rows would.

    Filtering alone would answer an empty list or zero totals, which reads as "nothing there" rather
    than "not yours", and tells an unknown code from a forbidden one no better.
    """

    def filter_queryset(self, queryset):
        for param in SCOPE_PARAMS:
            code = self.request.query_params.get(param)
            if code and not selectors.scope_code_visible(self.request.user, param, code):
                raise exceptions.NotFound(_("区域或镇不存在,或不在您的区域范围内:%(param)s") % {"param": param})
        return super().filter_queryset(queryset)


class LatestPeriodMixin(ScopeParamsMixin):
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

    @extend_schema(responses=PowerTotalsSerializer, filters=True)
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


class AlertViewSet(ScopeParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Policy alerts, open and closed, with their messages in Chinese and English."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    ordering_fields = ["since", "opened_at", "closed_at", "rule"]

    def get_queryset(self):
        return selectors.alert_list(user=self.request.user)


class RecomputeRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recompute runs of the caller's region (full runs and runs of its towns), and requests for one."""

    serializer_class = RecomputeRunSerializer
    filterset_class = RecomputeRunFilterSet
    ordering_fields = ["started_at"]
    permission_classes = [LedgerPermission]  # reviewers read; editors and administrators request

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return RecomputeRun.objects.none()
        return selectors.recompute_run_list(user=self.request.user)

    @extend_schema(
        summary=_("请求重算一个镇的统计"),
        description=_(
            "把该镇放入待重算队列,由后台任务在数秒内重算该镇及其上级区域的统计;之后可在本列表中看到这次重算。"
            "县级录入员只能请求本县的镇,审阅人只读。"
        ),
        request=RecomputeRequestSerializer,
        responses={202: RecomputeRequestedSerializer},
        examples=[OpenApiExample("town", value={"town_code": "371581109000"}, request_only=True)],
    )
    def create(self, request, *args, **kwargs):
        body = RecomputeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.recompute_request(user=request.user, town_code=body.validated_data["town_code"])
        return Response(RecomputeRequestedSerializer(result).data, status=status.HTTP_202_ACCEPTED)
