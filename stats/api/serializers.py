from rest_framework import serializers

from ..models import Alert, Figure, PowerFigure, RecomputeRun

SCOPE_FIELDS = ["scope_kind", "scope_id", "period", "region", "region_code", "town", "town_code"]


class ScopedSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    town_code = serializers.CharField(source="town.code", read_only=True, default=None)


class PowerFigureSerializer(ScopedSerializer):
    class Meta:
        model = PowerFigure
        fields = [
            "id",
            *SCOPE_FIELDS,
            "power_type",
            "mode",
            "delegated",
            "taken_over",
            "running",
            "unused",
            "not_taken_over",
            "town_cases",
            "department_cases",
        ]


class FigureSerializer(ScopedSerializer):
    class Meta:
        model = Figure
        fields = ["id", *SCOPE_FIELDS, "metric", "key", "value"]


class PowerTotalsSerializer(serializers.Serializer):
    """Sums over the filtered power rows and the rates of DOMAIN.md section 5 (percent)."""

    period = serializers.DateField(allow_null=True)
    delegated = serializers.IntegerField()
    taken_over = serializers.IntegerField()
    running = serializers.IntegerField()
    unused = serializers.IntegerField()
    not_taken_over = serializers.IntegerField()
    town_cases = serializers.IntegerField()
    department_cases = serializers.IntegerField()
    take_over_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    running_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    running_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    unused_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    not_taken_over_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    cases_per_power = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class AlertSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    town_code = serializers.CharField(source="town.code", read_only=True, default=None)
    subject_type = serializers.CharField(source="subject_type.model", read_only=True)
    message = serializers.CharField(read_only=True)
    message_zh = serializers.SerializerMethodField()
    message_en = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "subject_type",
            "subject_id",
            "key",
            "region",
            "region_code",
            "town",
            "town_code",
            "since",
            "is_open",
            "opened_at",
            "closed_at",
            "message",
            "message_zh",
            "message_en",
        ]

    def get_message_zh(self, obj) -> str:
        return obj.message_in("zh-hans")

    def get_message_en(self, obj) -> str:
        return obj.message_in("en")


class RecomputeRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecomputeRun
        fields = [
            "id",
            "scope",
            "as_of",
            "started_at",
            "finished_at",
            "rows_written",
            "outcome",
            "error",
            "triggered_by",
        ]
