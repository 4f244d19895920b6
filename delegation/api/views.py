"""API v1 for delegation: departments, power items, catalogues, delegated powers, case counts."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import ErrorSerializer
from core.api.views import LedgerCursorViewSet, LedgerViewSet
from core.scoping import visible
from reforms.models import Town

from .. import filters
from ..selectors import edition_diff
from ..services import BatchRejected, case_counts_upsert
from . import serializers


class DepartmentViewSet(LedgerViewSet):
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "name", "updated_at"]


class PowerItemViewSet(LedgerViewSet):
    serializer_class = serializers.PowerItemSerializer
    filterset_class = filters.PowerItemFilterSet
    search_fields = ["name", "implementation_code", "local_code"]
    ordering_fields = ["id", "name", "type_code", "implementation_code", "updated_at"]


class DelegationCatalogueViewSet(LedgerViewSet):
    serializer_class = serializers.DelegationCatalogueSerializer
    filterset_class = filters.DelegationCatalogueFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "issued_on", "edition", "updated_at"]

    @extend_schema(
        summary=_("两个版次的差异"),
        description=_(
            "本版次(路径中的目录)与 against 指定的另一版次相比,镇的事项新增、收回和下放方式调整了哪些。"
            "全县目录须用 town 指定镇代码。"
        ),
        parameters=[
            OpenApiParameter("against", int, required=True, description=_("比较的另一版次(放权目录编号)")),
            OpenApiParameter("town", str, description=_("12 位镇代码;目录只适用于一个镇时可省略")),
        ],
        responses={200: serializers.EditionDiffSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def diff(self, request, pk=None):
        catalogue = self.get_object()
        other = _visible_or_404(self.get_queryset(), request.query_params.get("against"))
        town = catalogue.town or other.town
        code = request.query_params.get("town")
        if code:
            town = _visible_or_404(visible(request.user, Town), code, field="code")
        if town is None:
            raise exceptions.ValidationError({"town": [_("全县目录须指定镇代码。")]})
        older, newer = sorted([other, catalogue], key=lambda c: (c.issued_on, c.edition, c.pk))
        diff = edition_diff(older, newer, town)
        body = {
            "older": older.pk,
            "newer": newer.pk,
            "town_code": town.code,
            "added": diff.added,
            "withdrawn": diff.withdrawn,
            "changed": [{"old": old, "new": new} for old, new in diff.changed],
        }
        return Response(serializers.EditionDiffSerializer(body).data)


def _visible_or_404(queryset, value, field="pk"):
    """The row of ``queryset`` whose ``field`` is ``value``; 404 for anything else, malformed included."""
    if not value or (field == "pk" and not str(value).isdigit()):
        raise exceptions.NotFound
    row = queryset.filter(**{field: value}).first()
    if row is None:
        raise exceptions.NotFound
    return row


class DelegatedPowerViewSet(LedgerCursorViewSet):
    serializer_class = serializers.DelegatedPowerSerializer
    filterset_class = filters.DelegatedPowerFilterSet
    search_fields = ["item__name", "item__implementation_code", "town__name"]
    # Not take_over_on: a cursor compares with > and <, which never match NULL, so the powers not yet
    # taken over would drop out of the walk. Filter by take_over_status instead.
    ordering_fields = ["id", "delegated_on"]
    related = ["town", "item"]


class TrainingViewSet(LedgerViewSet):
    serializer_class = serializers.TrainingSerializer
    filterset_class = filters.TrainingFilterSet
    search_fields = ["topic", "department__name"]
    ordering_fields = ["id", "held_on"]


class TrainingCoverageViewSet(LedgerViewSet):
    serializer_class = serializers.TrainingCoverageSerializer
    filterset_class = filters.TrainingCoverageFilterSet
    ordering_fields = ["id"]


class InspectionRoundViewSet(LedgerViewSet):
    serializer_class = serializers.InspectionRoundSerializer
    filterset_class = filters.InspectionRoundFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "held_on"]


class ScoreItemViewSet(LedgerViewSet):
    serializer_class = serializers.ScoreItemSerializer
    filterset_class = filters.ScoreItemFilterSet
    ordering_fields = ["id"]


class InspectionScoreViewSet(LedgerViewSet):
    serializer_class = serializers.InspectionScoreSerializer
    related = ["town"]
    prefetch = ["item_points__item"]
    filterset_class = filters.InspectionScoreFilterSet
    ordering_fields = ["id", "score"]


class ItemPointsViewSet(LedgerViewSet):
    serializer_class = serializers.ItemPointsSerializer
    filterset_class = filters.ItemPointsFilterSet
    ordering_fields = ["id"]


class FindingViewSet(LedgerViewSet):
    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilterSet
    search_fields = ["description"]
    ordering_fields = ["id", "deadline"]


BULK_EXAMPLE = {
    "items": [
        {"town_code": "371581109000", "implementation_code": "371581109000010001", "month": "2026-10",
         "accepted": 12, "closed": 11},
        {"town_code": "371581109000", "implementation_code": "371581109000010002", "month": "2026-10",
         "handled_by": "county_department", "accepted": 3, "closed": 3},
    ]
}  # fmt: skip
BULK_REJECTED_EXAMPLE = {
    "status": 400,
    "code": "invalid",
    "detail": "提交的数据有误,请按字段说明修改。",
    "fields": {"items": {"1": {"town_code": ["找不到该镇,或您无权修改。"]}}},
}


def _errors_by_index(errors):
    """DRF lists one entry per item, empty for good ones; report only the bad items, by index."""
    items = errors.get("items")
    if isinstance(items, list) and items and all(isinstance(error, dict) for error in items):
        errors = {**errors, "items": {index: error for index, error in enumerate(items) if error}}
    return errors


class MonthlyCaseCountViewSet(LedgerCursorViewSet):
    serializer_class = serializers.MonthlyCaseCountSerializer
    filterset_class = filters.MonthlyCaseCountFilterSet
    search_fields = ["power__item__name", "power__item__implementation_code", "power__town__name"]
    ordering_fields = ["id", "month"]

    @extend_schema(
        summary=_("批量写入月度办件量"),
        description=_(
            "按 town_code + implementation_code(或 power)与月份写入办件量。整批校验:全部有效才写入,"
            "否则一条也不写,并按条目序号列出错误。重复提交同一批数据不会改变任何记录(幂等)。"
        ),
        request=serializers.CaseCountBatchSerializer,
        responses={
            200: serializers.CaseCountResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_("整批被拒绝,未写入任何记录"),
                examples=[OpenApiExample("rejected", value=BULK_REJECTED_EXAMPLE, response_only=True)],
            ),
        },
        examples=[
            OpenApiExample("batch", value=BULK_EXAMPLE, request_only=True),
            OpenApiExample(
                "result", value={"created": 1, "updated": 1, "unchanged": 0}, response_only=True, status_codes=["200"]
            ),
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filter_backends=[])
    def bulk(self, request):
        batch = serializers.CaseCountBatchSerializer(data=request.data)
        if not batch.is_valid():
            raise exceptions.ValidationError(_errors_by_index(batch.errors))
        try:
            result = case_counts_upsert(user=request.user, rows=batch.validated_data["items"])
        except BatchRejected as rejected:
            raise exceptions.ValidationError({"items": rejected.errors}) from None
        return Response(serializers.CaseCountResultSerializer(result).data)
