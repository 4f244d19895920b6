"""API v1 for finance: fiscal arrangements and their yearly records."""

from core.api.views import LedgerViewSet

from .. import filters
from . import serializers


class FiscalArrangementViewSet(LedgerViewSet):
    serializer_class = serializers.FiscalArrangementSerializer
    filterset_class = filters.FiscalArrangementFilterSet
    search_fields = ["title", "unit", "town__name"]
    ordering_fields = ["id", "from_year", "kind", "updated_at"]


class FiscalYearRecordViewSet(LedgerViewSet):
    serializer_class = serializers.FiscalYearRecordSerializer
    filterset_class = filters.FiscalYearRecordFilterSet
    search_fields = ["arrangement__title", "arrangement__town__name"]
    ordering_fields = ["id", "year", "due_on", "paid_on", "updated_at"]
