"""API v1 for reforms: regions, towns, documents, programmes, plans and tasks, assessment."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from core.api.views import LedgerViewSet, ReadOnlyLedgerViewSet
from core.scoping import visible

from .. import filters, models, selectors
from . import serializers


class RegionViewSet(ReadOnlyLedgerViewSet):
    """Regions (province, city, county): reference data, read-only here."""

    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name", "level"]


class TownViewSet(LedgerViewSet):
    serializer_class = serializers.TownSerializer
    filterset_class = filters.TownFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name", "population", "updated_at"]


class SourceDocumentViewSet(LedgerViewSet):
    serializer_class = serializers.SourceDocumentSerializer
    filterset_class = filters.SourceDocumentFilterSet
    search_fields = ["number", "title", "issuer"]
    ordering_fields = ["id", "issued_on", "number", "updated_at"]


class ReportedFigureViewSet(LedgerViewSet):
    serializer_class = serializers.ReportedFigureSerializer
    filterset_class = filters.ReportedFigureFilterSet
    search_fields = ["label"]
    ordering_fields = ["id", "label", "updated_at"]


class PilotProgrammeViewSet(LedgerViewSet):
    serializer_class = serializers.PilotProgrammeSerializer
    filterset_class = filters.PilotProgrammeFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "name", "started_on", "updated_at"]
    prefetch = ["towns"]


class ProgrammeMembershipViewSet(LedgerViewSet):
    serializer_class = serializers.ProgrammeMembershipSerializer
    filterset_class = filters.ProgrammeMembershipFilterSet
    search_fields = ["town__name", "town__code"]
    ordering_fields = ["id", "joined_on", "updated_at"]


class ReformPlanViewSet(LedgerViewSet):
    serializer_class = serializers.ReformPlanSerializer
    filterset_class = filters.ReformPlanFilterSet
    search_fields = ["title", "town__name"]
    ordering_fields = ["id", "adopted_on", "updated_at"]


class ReformTaskViewSet(LedgerViewSet):
    serializer_class = serializers.ReformTaskSerializer
    filterset_class = filters.ReformTaskFilterSet
    search_fields = ["title", "lead_unit", "cooperating_units"]
    ordering_fields = ["id", "deadline", "status", "completed_on", "updated_at"]


class AssessmentSchemeViewSet(LedgerViewSet):
    serializer_class = serializers.AssessmentSchemeSerializer
    filterset_class = filters.AssessmentSchemeFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "valid_from", "name", "updated_at"]


class AssessmentScoreViewSet(LedgerViewSet):
    serializer_class = serializers.AssessmentScoreSerializer
    filterset_class = filters.AssessmentScoreFilterSet
    search_fields = ["assessed_unit", "town__name"]
    ordering_fields = ["id", "year", "county_score", "town_score", "updated_at"]


class TownAnnualAssessmentViewSet(LedgerViewSet):
    serializer_class = serializers.TownAnnualAssessmentSerializer
    filterset_class = filters.TownAnnualAssessmentFilterSet
    search_fields = ["town__name", "town__code"]
    ordering_fields = ["id", "year", "score", "rank_in_county", "updated_at"]


SCOPE_PARAMETERS = [
    OpenApiParameter("region", str, description=_("区划代码:只列出关于该区域的文件")),
    OpenApiParameter("town", str, description=_("统计用区划代码:只列出关于该镇的文件")),
]


class DocumentCheckViewSet(viewsets.ViewSet):
    """Each source document's figures beside the ledger's at the document's period (文件数据与台账对照).

    Read-only, the same comparison as the documents page; scoped like documents: a region, town or
    document out of the caller's scope answers 404.
    """

    lookup_value_regex = r"[0-9]+"
    serializer_class = serializers.DocumentCheckSerializer

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=serializers.DocumentCheckSerializer(many=True))
    def list(self, request):
        region = town = None
        if code := request.query_params.get("town"):
            town = get_object_or_404(selectors.town_list(user=request.user), code=code)
        elif code := request.query_params.get("region"):
            region = get_object_or_404(visible(request.user, models.Region), code=code)
        checks = selectors.document_checks(user=request.user, region=region, town=town)
        return Response(serializers.DocumentCheckSerializer(checks, many=True).data)

    @extend_schema(responses=serializers.DocumentCheckSerializer)
    def retrieve(self, request, pk=None):
        document = get_object_or_404(visible(request.user, models.SourceDocument), pk=pk)
        check = selectors.document_check(user=request.user, document=document)
        return Response(serializers.DocumentCheckSerializer(check).data)
