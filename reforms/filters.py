import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet

from . import models


class RegionFilterSet(LedgerFilterSet):
    class Meta:
        model = models.Region
        fields = ["level", "parent"]


class TownFilterSet(LedgerFilterSet):
    programme = django_filters.NumberFilter(field_name="programmes", label=_("试点批次"))

    class Meta:
        model = models.Town
        fields = ["category", "is_generated"]


class SourceDocumentFilterSet(LedgerFilterSet):
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = models.SourceDocument
        fields = ["number"]


class ReportedFigureFilterSet(LedgerFilterSet):
    class Meta:
        model = models.ReportedFigure
        fields = ["document"]


class PilotProgrammeFilterSet(LedgerFilterSet):
    class Meta:
        model = models.PilotProgramme
        fields = ["document"]


class ProgrammeMembershipFilterSet(LedgerFilterSet):
    class Meta:
        model = models.ProgrammeMembership
        fields = ["programme", "status"]


class ReformPlanFilterSet(LedgerFilterSet):
    class Meta:
        model = models.ReformPlan
        fields = ["document"]


class ReformTaskFilterSet(LedgerFilterSet):
    deadline_after = django_filters.DateFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = models.ReformTask
        fields = ["plan", "status"]


class AssessmentSchemeFilterSet(LedgerFilterSet):
    class Meta:
        model = models.AssessmentScheme
        fields = ["subject", "document"]


class AssessmentScoreFilterSet(LedgerFilterSet):
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = models.AssessmentScore
        fields = ["scheme", "year"]


class TownAnnualAssessmentFilterSet(LedgerFilterSet):
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = models.TownAnnualAssessment
        fields = ["grade", "year"]
