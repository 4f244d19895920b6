from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import LedgerSerializer, ScopedPrimaryKeyRelatedField
from core.scoping import visible
from delegation.models import Department
from reforms.models import Town

from .. import models
from ..services import Decision


class ResponsibilityListSerializer(LedgerSerializer):
    class Meta:
        model = models.ResponsibilityList
        fields = "__all__"


class ResponsibilityItemSerializer(LedgerSerializer):
    class Meta:
        model = models.ResponsibilityItem
        fields = "__all__"


class CallPolicySerializer(LedgerSerializer):
    class Meta:
        model = models.CallPolicy
        fields = "__all__"


class CallStepSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = models.CallStep
        fields = ["id", "action", "state_after", "note", "at", "by", "external_id"]


class CallSerializer(LedgerSerializer):
    town_code = serializers.CharField(source="town.code", read_only=True, help_text=_("12 位镇代码"))
    department_name = serializers.CharField(source="department.name", read_only=True)
    is_unlisted = serializers.BooleanField(read_only=True, help_text=_("清单外事项"))
    raised_at = serializers.DateTimeField(required=False, help_text=_("缺省为提交时间"))
    steps = CallStepSerializer(many=True, read_only=True)

    class Meta:
        model = models.Call
        fields = "__all__"
        read_only_fields = ["raised_by"]


class CallRaiseSerializer(serializers.Serializer):
    """What raising a call takes: the town by id or 12-digit code, the department, the matter."""

    town = ScopedPrimaryKeyRelatedField(queryset=Town.objects.all(), required=False)
    town_code = serializers.CharField(required=False, max_length=12)
    department = ScopedPrimaryKeyRelatedField(queryset=Department.objects.all())
    item = ScopedPrimaryKeyRelatedField(
        queryset=models.ResponsibilityItem.objects.all(), required=False, allow_null=True
    )
    subject = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=models.Urgency.choices, required=False)
    raised_at = serializers.DateTimeField(required=False)
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate(self, attrs):
        code = attrs.pop("town_code", None)
        if attrs.get("town") is not None:
            return attrs
        if not code:
            raise serializers.ValidationError({"town": [_("请提供 town 或 town_code。")]})
        town = visible(self.context["request"].user, Town).filter(code=code).first()
        if town is None:
            raise serializers.ValidationError({"town_code": [_("找不到该镇,或您无权访问。")]})
        attrs["town"] = town
        return attrs


class StepSerializer(serializers.Serializer):
    """The common part of every step: when (another system may report it) and its own id for retries."""

    at = serializers.DateTimeField(required=False, help_text=_("环节发生时间;缺省为提交时间"))
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class NoteStepSerializer(StepSerializer):
    note = serializers.CharField(required=False, allow_blank=True)


class ReturnSerializer(StepSerializer):
    reason = serializers.CharField(allow_blank=True)


class RespondSerializer(StepSerializer):
    response = serializers.CharField(allow_blank=True)


class ArbitrateSerializer(StepSerializer):
    decision = serializers.ChoiceField(choices=[(c, c) for c in Decision.CHOICES])
    ruling = serializers.CharField(allow_blank=True)
    department = ScopedPrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)


class EvaluateSerializer(StepSerializer):
    rating = serializers.ChoiceField(choices=models.Call.Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True)


class CallFigureSerializer(serializers.ModelSerializer):
    town_code = serializers.CharField(source="town.code", read_only=True, allow_null=True, default=None)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = models.CallFigure
        fields = "__all__"


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2099)


class ItemCallsSerializer(serializers.ModelSerializer):
    calls_in_year = serializers.IntegerField(read_only=True, help_text=_("当年呼叫次数"))

    class Meta:
        model = models.ResponsibilityItem
        fields = ["id", "responsibility_list", "number", "name", "category", "main_department", "calls_in_year"]
