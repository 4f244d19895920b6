"""API v1 for territorial lists and calls; a call changes only through its steps (POST …/<id>/<step>/)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.views import LedgerViewSet, ReadOnlyLedgerViewSet, ScopedQuerysetMixin, parse_if_match

from .. import filters, selectors, services
from . import serializers


class ResponsibilityListViewSet(LedgerViewSet):
    serializer_class = serializers.ResponsibilityListSerializer
    filterset_class = filters.ResponsibilityListFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "batch", "issued_on", "updated_at"]


class ResponsibilityItemViewSet(LedgerViewSet):
    serializer_class = serializers.ResponsibilityItemSerializer
    filterset_class = filters.ResponsibilityItemFilterSet
    search_fields = ["name", "cooperating_units"]
    ordering_fields = ["id", "number", "name", "updated_at"]

    @extend_schema(
        summary=_("事项年度呼叫数"),
        description=_("每个事项在 year 年被呼叫的次数,多者在前;0 表示当年从未被呼叫。"),
        parameters=[OpenApiParameter("year", int, required=True)],
        responses={200: serializers.ItemCallsSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="calls-per-year", filter_backends=[])
    def calls_per_year(self, request):
        year = serializers.YearSerializer(data=request.query_params)
        year.is_valid(raise_exception=True)
        rows = selectors.item_calls(user=request.user, year=year.validated_data["year"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.ItemCallsSerializer(page, many=True).data)


class CallPolicyViewSet(LedgerViewSet):
    serializer_class = serializers.CallPolicySerializer
    filterset_class = filters.CallPolicyFilterSet
    ordering_fields = ["id"]


def _step_view(name, step_serializer, service, summary):
    """A POST action taking one step of the call through ``service``; If-Match, when sent, must be current."""

    @extend_schema(summary=summary, request=step_serializer, responses={200: serializers.CallSerializer})
    def view(self, request, pk=None):
        call = self.get_object()
        body = step_serializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        header = request.headers.get("If-Match")
        versions = parse_if_match(header) if header else {"*"}
        expected = None if "*" in versions else next(iter(versions))
        saved = service(user=request.user, call=call, expected_version=expected, **data)
        return Response(serializers.CallSerializer(saved, context=self.get_serializer_context()).data)

    view.__name__ = name
    return view


class CallViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Calls (乡呼县应) the caller may read: a town's staff their town's, a department's staff their department's."""

    serializer_class = serializers.CallSerializer
    filterset_class = filters.CallFilterSet
    permission_classes = [IsAuthenticated]
    search_fields = ["subject", "place", "external_id"]
    ordering_fields = ["id", "raised_at", "accept_due", "close_due", "state"]
    related = ["town", "department"]
    prefetch = ["steps__by"]

    @extend_schema(
        summary=_("呼叫"),
        description=_("镇街呼叫县直部门。带 external_id 重复提交同一呼叫时返回已有呼叫(200),不重复创建。"),
        request=serializers.CallRaiseSerializer,
        responses={201: serializers.CallSerializer, 200: serializers.CallSerializer},
    )
    def create(self, request):
        if not services.raises_calls(request.user):
            raise exceptions.PermissionDenied()
        body = serializers.CallRaiseSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        call, created = services.call_raise(user=request.user, **body.validated_data)
        data = serializers.CallSerializer(call, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    accept = action(detail=True, methods=["post"])(
        _step_view("accept", serializers.NoteStepSerializer, services.call_accept, _("受理"))
    )
    return_call = action(detail=True, methods=["post"], url_path="return")(
        _step_view("return_call", serializers.ReturnSerializer, services.call_return, _("退回"))
    )
    dispute = action(detail=True, methods=["post"])(
        _step_view("dispute", serializers.NoteStepSerializer, services.call_dispute, _("提出争议"))
    )
    withdraw = action(detail=True, methods=["post"])(
        _step_view("withdraw", serializers.NoteStepSerializer, services.call_withdraw, _("撤回"))
    )
    arbitrate = action(detail=True, methods=["post"])(
        _step_view("arbitrate", serializers.ArbitrateSerializer, services.call_arbitrate, _("编办裁定"))
    )
    respond = action(detail=True, methods=["post"])(
        _step_view("respond", serializers.RespondSerializer, services.call_respond, _("响应"))
    )
    close = action(detail=True, methods=["post"])(
        _step_view("close", serializers.NoteStepSerializer, services.call_close, _("办结"))
    )
    evaluate = action(detail=True, methods=["post"])(
        _step_view("evaluate", serializers.EvaluateSerializer, services.call_evaluate, _("评价"))
    )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code < 300 and isinstance(data, dict) and "version" in data:
            response["ETag"] = f'"{data["version"]}"'
        return response


class CallFigureViewSet(ReadOnlyLedgerViewSet):
    """Monthly call figures (呼叫响应统计) per town × department, department (``town`` null) or town."""

    serializer_class = serializers.CallFigureSerializer
    filterset_class = filters.CallFigureFilterSet
    ordering_fields = ["id", "period"]
    related = ["town", "department"]
