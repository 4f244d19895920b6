from core.api.serializers import LedgerSerializer

from .. import models


class RegionSerializer(LedgerSerializer):
    class Meta:
        model = models.Region
        fields = "__all__"


class TownSerializer(LedgerSerializer):
    class Meta:
        model = models.Town
        fields = "__all__"


class SourceDocumentSerializer(LedgerSerializer):
    class Meta:
        model = models.SourceDocument
        fields = "__all__"


class ReportedFigureSerializer(LedgerSerializer):
    class Meta:
        model = models.ReportedFigure
        fields = "__all__"


class PilotProgrammeSerializer(LedgerSerializer):
    class Meta:
        model = models.PilotProgramme
        fields = "__all__"


class ProgrammeMembershipSerializer(LedgerSerializer):
    class Meta:
        model = models.ProgrammeMembership
        fields = "__all__"


class ReformPlanSerializer(LedgerSerializer):
    class Meta:
        model = models.ReformPlan
        fields = "__all__"


class ReformTaskSerializer(LedgerSerializer):
    class Meta:
        model = models.ReformTask
        fields = "__all__"


class AssessmentSchemeSerializer(LedgerSerializer):
    class Meta:
        model = models.AssessmentScheme
        fields = "__all__"


class AssessmentScoreSerializer(LedgerSerializer):
    class Meta:
        model = models.AssessmentScore
        fields = "__all__"


class TownAnnualAssessmentSerializer(LedgerSerializer):
    class Meta:
        model = models.TownAnnualAssessment
        fields = "__all__"
