from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..measures import AMOUNT_METRICS
from ..models import Alert, Figure, PowerFigure, RecomputeRun

SCOPE_FIELDS = ["scope_kind", "scope_id", "period", "region", "region_code", "town", "town_code"]


# Null on the rows of a county, city, province or programme: only town rows have a town.
TOWN_CODE = {"source": "town.code", "read_only": True, "default": None, "allow_null": True}


class ScopedSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    town_code = serializers.CharField(**TOWN_CODE)


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


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"}],
        "description": str(_("计数类指标为整数;金额与得分合计为保留两位小数的字符串")),
    }
)
class FigureValueField(serializers.Field):
    """A figure's value: a JSON integer for counts, a decimal string for amounts and score sums."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, figure):
        if figure.metric in AMOUNT_METRICS:
            return f"{figure.value:.2f}"
        return int(figure.value)


class FigureSerializer(ScopedSerializer):
    value = FigureValueField()

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
    town_code = serializers.CharField(**TOWN_CODE)
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

    def to_representation(self, run):
        data = super().to_representation(run)
        request = self.context.get("request")
        # The raw exception may name tables and other counties' rows: system administrators read it
        # (and the server log); everyone else learns only that the run failed.
        if run.outcome == RecomputeRun.Outcome.FAILED and not (request and request.user.is_system_admin):
            data["error"] = str(_("重算失败,详情请联系系统管理员。"))
        return data


class RecomputeRequestSerializer(serializers.Serializer):
    """A request to recompute one town's figures now."""

    town_code = serializers.CharField(max_length=12, help_text=_("12 位镇代码,如 371581109000"))


class RecomputeRequestedSerializer(serializers.Serializer):
    """The answer to a recompute request: queued in the outbox, or done with its run."""

    town_code = serializers.CharField()
    state = serializers.ChoiceField(
        choices=[("queued", _("已排队")), ("done", _("已完成"))],
        help_text=_("queued:已进入待重算队列,由后台任务执行;done:已在本次请求中重算完毕,见 run"),
    )
    run = RecomputeRunSerializer(allow_null=True)
