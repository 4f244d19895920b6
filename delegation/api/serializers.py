from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import LedgerSerializer

from .. import models

BULK_MAX_ITEMS = 5000
MAX_ID = 2**63 - 1  # the largest primary key the database can hold; beyond it the id cannot exist


def column_max(model, name):
    """The largest value the integer column ``name`` of ``model`` holds, from the field's own validators."""
    field = model._meta.get_field(name)
    return min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))


class DepartmentSerializer(LedgerSerializer):
    class Meta:
        model = models.Department
        fields = "__all__"


class PowerItemSerializer(LedgerSerializer):
    class Meta:
        model = models.PowerItem
        fields = "__all__"


class DelegationCatalogueSerializer(LedgerSerializer):
    class Meta:
        model = models.DelegationCatalogue
        fields = "__all__"


class DelegatedPowerSerializer(LedgerSerializer):
    # The keys a case-count batch uses, so a client can build one from this list alone.
    town_code = serializers.CharField(source="town.code", read_only=True, help_text=_("12 位镇代码"))
    implementation_code = serializers.CharField(
        source="item.implementation_code", read_only=True, help_text=_("事项实施编码")
    )
    item_name = serializers.CharField(source="item.name", read_only=True, help_text=_("事项名称"))
    type_code = serializers.CharField(source="item.type_code", read_only=True, help_text=_("权力类型"))

    class Meta:
        model = models.DelegatedPower
        fields = "__all__"


class TrainingSerializer(LedgerSerializer):
    class Meta:
        model = models.Training
        fields = "__all__"


class TrainingCoverageSerializer(LedgerSerializer):
    class Meta:
        model = models.TrainingCoverage
        fields = "__all__"


class InspectionRoundSerializer(LedgerSerializer):
    class Meta:
        model = models.InspectionRound
        fields = "__all__"


class ScoreItemSerializer(LedgerSerializer):
    class Meta:
        model = models.ScoreItem
        fields = "__all__"


class ItemPointsSerializer(LedgerSerializer):
    class Meta:
        model = models.ItemPoints
        fields = "__all__"


class ItemPointsReadSerializer(serializers.ModelSerializer):
    """One item of a score's sheet as the score shows it: the item, its maximum and the points earned."""

    name = serializers.CharField(source="item.name", read_only=True)
    max_points = serializers.DecimalField(source="item.max_points", max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = models.ItemPoints
        fields = ["id", "item", "name", "max_points", "points"]


class InspectionScoreSerializer(LedgerSerializer):
    town_code = serializers.CharField(source="town.code", read_only=True, help_text=_("12 位镇代码"))
    item_points = ItemPointsReadSerializer(
        many=True, read_only=True, help_text=_("逐项得分(写入请用 inspection-item-points);有逐项得分时得分为其合计")
    )

    class Meta:
        model = models.InspectionScore
        fields = "__all__"


class FindingSerializer(LedgerSerializer):
    class Meta:
        model = models.Finding
        fields = "__all__"


class MonthlyCaseCountSerializer(LedgerSerializer):
    class Meta:
        model = models.MonthlyCaseCount
        fields = "__all__"


class CaseCountItemSerializer(serializers.Serializer):
    """One month's counts of one delegated power: the shape only; the service checks the meaning."""

    town_code = serializers.CharField(
        required=False, max_length=12, help_text=_("12 位镇代码;与 implementation_code 一起定位事项")
    )
    implementation_code = serializers.CharField(required=False, max_length=64, help_text=_("事项实施编码"))
    power = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("下放事项编号;可代替 town_code + implementation_code"),
    )
    month = serializers.CharField(max_length=10, help_text=_("月份,YYYY-MM"))
    handled_by = serializers.ChoiceField(
        choices=models.MonthlyCaseCount.HandledBy.choices, required=False, help_text=_("办理主体,缺省为 town")
    )
    accepted = serializers.IntegerField(
        min_value=0, max_value=column_max(models.MonthlyCaseCount, "accepted"), help_text=_("受理件数")
    )
    closed = serializers.IntegerField(
        min_value=0, max_value=column_max(models.MonthlyCaseCount, "closed"), help_text=_("办结件数")
    )


class CaseCountBatchSerializer(serializers.Serializer):
    items = CaseCountItemSerializer(many=True, min_length=1, max_length=BULK_MAX_ITEMS)


class CaseCountResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新建的记录数"))
    updated = serializers.IntegerField(help_text=_("数值有变化而更新的记录数"))
    unchanged = serializers.IntegerField(help_text=_("与已有记录相同、未改动的条数"))


class EditionPowerSerializer(serializers.ModelSerializer):
    """A power as an edition difference lists it."""

    item_name = serializers.CharField(source="item.name", read_only=True, help_text=_("事项名称"))
    implementation_code = serializers.CharField(source="item.implementation_code", read_only=True)
    type_code = serializers.CharField(source="item.type_code", read_only=True, help_text=_("权力类型"))

    class Meta:
        model = models.DelegatedPower
        fields = [
            "id",
            "item",
            "item_name",
            "implementation_code",
            "type_code",
            "catalogue",
            "mode",
            "delegated_on",
            "withdrawn_on",
            "withdrawal_reason",
            "withdrawn_in",
        ]


class EditionChangeSerializer(serializers.Serializer):
    old = EditionPowerSerializer(help_text=_("旧版次中的事项"))
    new = EditionPowerSerializer(help_text=_("新版次中的事项"))


class EditionDiffSerializer(serializers.Serializer):
    """The difference between two editions of a town's catalogue."""

    older = serializers.IntegerField(help_text=_("旧版次(放权目录编号)"))
    newer = serializers.IntegerField(help_text=_("新版次(放权目录编号)"))
    town_code = serializers.CharField(help_text=_("12 位镇代码"))
    added = EditionPowerSerializer(many=True, help_text=_("新增事项"))
    withdrawn = EditionPowerSerializer(many=True, help_text=_("收回事项"))
    changed = EditionChangeSerializer(many=True, help_text=_("下放方式调整的事项"))
