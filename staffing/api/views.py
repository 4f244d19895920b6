"""API v1 for staffing: organs and nameplates, headcount, filled posts, secondments, policies."""

from core.api.views import LedgerViewSet

from .. import filters
from . import serializers


class OrganViewSet(LedgerViewSet):
    serializer_class = serializers.OrganSerializer
    filterset_class = filters.OrganFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "name", "kind", "updated_at"]


class NameplateViewSet(LedgerViewSet):
    serializer_class = serializers.NameplateSerializer
    filterset_class = filters.NameplateFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "name", "updated_at"]


class HeadcountQuotaViewSet(LedgerViewSet):
    serializer_class = serializers.HeadcountQuotaSerializer
    filterset_class = filters.HeadcountQuotaFilterSet
    search_fields = ["town__name", "town__code"]
    ordering_fields = ["id", "effective_on", "approved", "updated_at"]


class FilledPostsViewSet(LedgerViewSet):
    serializer_class = serializers.FilledPostsSerializer
    filterset_class = filters.FilledPostsFilterSet
    search_fields = ["town__name", "town__code"]
    ordering_fields = ["id", "as_of", "filled", "updated_at"]


class SecondmentViewSet(LedgerViewSet):
    serializer_class = serializers.SecondmentSerializer
    filterset_class = filters.SecondmentFilterSet
    search_fields = ["staff_reference", "borrowing_unit"]
    ordering_fields = ["id", "starts_on", "ends_on", "updated_at"]


class StaffingPolicyViewSet(LedgerViewSet):
    serializer_class = serializers.StaffingPolicySerializer
    filterset_class = filters.StaffingPolicyFilterSet
    search_fields = ["town__name", "town__code"]
    ordering_fields = ["id", "effective_on", "updated_at"]
