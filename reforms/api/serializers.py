from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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


class FigureCheckSerializer(serializers.Serializer):
    """One document figure beside the ledger's figure at the document's period."""

    label = serializers.CharField(source="figure.label")
    region = serializers.CharField(source="figure.region.code", help_text=_("区划代码"))
    town = serializers.CharField(
        source="figure.town.code", allow_null=True, help_text=_("统计用区划代码;区域数据为 null")
    )
    unit = serializers.CharField(source="figure.unit")
    document_value = serializers.DecimalField(source="figure.value", max_digits=14, decimal_places=2)
    is_lower_bound = serializers.BooleanField(source="figure.is_lower_bound", help_text=_("文件数据为下限(“余”)"))
    measure = serializers.CharField(source="figure.measure", help_text=_("台账口径;空表示台账不掌握"))
    ledger_value = serializers.DecimalField(
        source="ledger.value", max_digits=16, decimal_places=2, allow_null=True, help_text=_("台账在文件所属月份的数据")
    )
    ledger_is_generated = serializers.BooleanField(
        source="ledger.generated", allow_null=True, help_text=_("台账数据含演示生成的明细行")
    )
    status = serializers.ChoiceField(
        choices=["equal", "differs", "not_held"], help_text=_("equal 一致;differs 不一致;not_held 台账未掌握")
    )
    difference = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text=_("台账 − 文件;仅 differs 时有值")
    )


class DocumentCheckSerializer(serializers.Serializer):
    """A source document with each of its figures checked against the ledger at its period."""

    id = serializers.IntegerField(source="document.pk")
    title = serializers.CharField(source="document.title")
    issuer = serializers.CharField(source="document.issuer")
    number = serializers.CharField(source="document.number")
    issued_on = serializers.DateField(source="document.issued_on", allow_null=True)
    period = serializers.DateField(allow_null=True, help_text=_("文件数据所属月份(当月第一天)"))
    period_note = serializers.CharField(source="document.period_note", help_text=_("月份为选定时的说明"))
    figures = FigureCheckSerializer(source="checks", many=True)

    class Meta:
        # Not a model serializer: the model names what the endpoint shows, for scoping and the URL matrix.
        model = models.SourceDocument
