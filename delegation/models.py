"""County departments, power items, delegation catalogues, delegated powers and case counts."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel
from core.units import format_month

COUNT_MAX = 2**31 - 1  # PostgreSQL's integer


class PowerType(models.TextChoices):
    """Power type codes of the national government-service platform (权力类型)."""

    LICENCE = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    PAYMENT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    RULING = "09", _("行政裁决")
    OTHER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class PowerSource(models.TextChoices):
    """Where a power comes from (权力来源); moving a service forward has no national code."""

    STATUTORY = "1", _("法定本级行使")
    DELEGATED_BY_HIGHER = "2", _("上级下放")
    AUTHORISED_BY_HIGHER = "3", _("上级授权")
    AUTHORISED_SAME_LEVEL = "4", _("同级授权")
    ENTRUSTED_BY_HIGHER = "5", _("上级委托")
    ENTRUSTED_SAME_LEVEL = "6", _("同级委托")


# Field name on DelegationCatalogue holding the declared count of each power type.
TYPE_COUNT_FIELDS = {
    PowerType.LICENCE: "count_licence",
    PowerType.PENALTY: "count_penalty",
    PowerType.COERCION: "count_coercion",
    PowerType.LEVY: "count_levy",
    PowerType.PAYMENT: "count_payment",
    PowerType.INSPECTION: "count_inspection",
    PowerType.CONFIRMATION: "count_confirmation",
    PowerType.REWARD: "count_reward",
    PowerType.RULING: "count_ruling",
    PowerType.OTHER: "count_other",
    PowerType.PUBLIC_SERVICE: "count_public_service",
}


class Department(LedgerModel):
    """A county department (县直部门) that delegates powers and may keep agencies in towns."""

    county = models.ForeignKey(
        "reforms.Region",
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    name = models.CharField(_("名称"), max_length=100)
    scope_path = "county"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县直部门")
        verbose_name_plural = _("县直部门")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="department_unique_in_county",
                violation_error_message=_("本县已有同名部门。"),
            ),
        ]

    def __str__(self):
        return self.name


class PowerItem(LedgerModel):
    """An administrative power or public service (权力事项) as the county lists it."""

    name = models.CharField(_("事项名称"), max_length=300)
    type_code = models.CharField(_("权力类型"), max_length=2, choices=PowerType.choices)
    local_code = models.CharField(_("本地编码"), max_length=50, blank=True)
    implementation_code = models.CharField(
        _("实施编码"),
        max_length=64,
        blank=True,
        help_text=_("政务服务平台颁发的实施编码;办件量数据按此编码对接"),
    )
    source = models.CharField(_("权力来源"), max_length=1, choices=PowerSource.choices, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    source_department = models.ForeignKey(
        Department, verbose_name=_("放权部门"), on_delete=models.PROTECT, related_name="items"
    )
    # The department's county, kept on the row so that the database can hold implementation codes
    # unique within a county: unique across counties, a refusal would tell an editor what another
    # county holds. Case-count feeds look a code up under a town, hence within its county.
    county = models.ForeignKey(
        "reforms.Region", verbose_name=_("所属县"), on_delete=models.PROTECT, editable=False, related_name="+"
    )
    scope_path = "source_department__county"
    town_path = None  # an item belongs to a county department, not to a town
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("权力事项")
        verbose_name_plural = _("权力事项")
        ordering = ["type_code", "local_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "implementation_code"],
                condition=~Q(implementation_code=""),
                name="item_implementation_code_unique_in_county",
                violation_error_message=_("该实施编码已被本县其他事项使用。"),
            ),
            models.UniqueConstraint(
                fields=["source_department", "name"],
                name="item_unique_per_department",
                violation_error_message=_("该部门已有同名事项。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        self._county_from_department()
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self._county_from_department()
        super().save(*args, **kwargs)

    def _county_from_department(self):
        if self.source_department_id is not None:
            self.county_id = self.source_department.county_id


class DelegationCatalogue(LedgerModel):
    """A delegation catalogue (放权目录 / 赋权清单) issued by a county, with its declared counts.

    The declared per-type counts must add up to the declared total: the database refuses otherwise.
    """

    county = models.ForeignKey(
        "reforms.Region",
        verbose_name=_("发布县"),
        on_delete=models.PROTECT,
        related_name="catalogues",
    )
    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("适用镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogues",
        help_text=_("留空表示适用于本县全部试点镇"),
    )
    title = models.CharField(_("名称"), max_length=300)
    document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("发布文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    issued_on = models.DateField(_("发布日期"))
    edition = models.PositiveSmallIntegerField(_("版次"), default=1)
    declared_total = models.PositiveIntegerField(_("事项总数"))
    count_licence = models.PositiveIntegerField(PowerType.LICENCE.label, default=0)
    count_penalty = models.PositiveIntegerField(PowerType.PENALTY.label, default=0)
    count_coercion = models.PositiveIntegerField(PowerType.COERCION.label, default=0)
    count_levy = models.PositiveIntegerField(PowerType.LEVY.label, default=0)
    count_payment = models.PositiveIntegerField(PowerType.PAYMENT.label, default=0)
    count_inspection = models.PositiveIntegerField(PowerType.INSPECTION.label, default=0)
    count_confirmation = models.PositiveIntegerField(PowerType.CONFIRMATION.label, default=0)
    count_reward = models.PositiveIntegerField(PowerType.REWARD.label, default=0)
    count_ruling = models.PositiveIntegerField(PowerType.RULING.label, default=0)
    count_other = models.PositiveIntegerField(PowerType.OTHER.label, default=0)
    count_public_service = models.PositiveIntegerField(PowerType.PUBLIC_SERVICE.label, default=0)
    scope_path = "county"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("放权目录")
        verbose_name_plural = _("放权目录")
        ordering = ["-issued_on"]
        constraints = [
            # Two partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["county", "town", "edition"],
                condition=Q(town__isnull=False),
                name="catalogue_edition_unique",
                violation_error_message=_("该镇此版次的目录已存在。"),
            ),
            models.UniqueConstraint(
                fields=["county", "edition"],
                condition=Q(town__isnull=True),
                name="county_catalogue_edition_unique",
                violation_error_message=_("该县此版次的全县目录已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    declared_total=sum(
                        (F(field) for field in list(TYPE_COUNT_FIELDS.values())[1:]),
                        F(TYPE_COUNT_FIELDS[PowerType.LICENCE]),
                    )
                ),
                name="catalogue_type_counts_add_up",
                violation_error_message=_("各类型事项数之和必须等于事项总数。"),
            ),
        ]

    def __str__(self):
        return self.title

    def type_counts(self):
        """Declared count per power type code."""
        return {code: getattr(self, field) for code, field in TYPE_COUNT_FIELDS.items()}


class DelegatedPower(LedgerModel):
    """A power delegated to one town (下放事项), whether the town took it over, and when it was withdrawn.

    A power is in force from ``delegated_on`` until its withdrawal (收回) by a later edition or document;
    the same item may be delegated to the town again afterwards, as a new row.
    """

    class Mode(models.TextChoices):
        DIRECT = "direct", _("直接下放")
        ENTRUSTED = "entrusted", _("委托")
        SERVICE_FORWARD = "service_forward", _("服务前移")

    class TakeOverStatus(models.TextChoices):
        PENDING = "pending", _("待承接")
        TAKEN_OVER = "taken_over", _("已承接")
        NOT_TAKEN_OVER = "not_taken_over", _("未承接到位")

    class NotTakenOverCause(models.TextChoices):
        """The documents' causes of a power not taken over (未承接到位)."""

        NO_TRAINED_STAFF = "no_trained_staff", _("缺少经培训的人员")
        DISPATCHED_AGENCY = "dispatched_agency", _("派驻机构管理体制未理顺")
        DOES_NOT_FIT = "does_not_fit", _("不适合本镇实际")
        OTHER = "other", _("其他")

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="delegated_powers",
    )
    catalogue = models.ForeignKey(
        DelegationCatalogue,
        verbose_name=_("放权目录"),
        on_delete=models.PROTECT,
        related_name="powers",
    )
    item = models.ForeignKey(
        PowerItem, verbose_name=_("权力事项"), on_delete=models.PROTECT, related_name="delegations"
    )
    mode = models.CharField(_("下放方式"), max_length=20, choices=Mode.choices)
    receiving_organ = models.ForeignKey(
        "staffing.Organ",
        verbose_name=_("承接机构"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_powers",
    )
    delegated_on = models.DateField(_("下放日期"))
    take_over_status = models.CharField(
        _("承接状态"),
        max_length=20,
        choices=TakeOverStatus.choices,
        default=TakeOverStatus.PENDING,
    )
    take_over_on = models.DateField(_("承接日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("收回日期"), null=True, blank=True, help_text=_("当日起不再有效"))
    withdrawal_reason = models.CharField(_("收回原因"), max_length=300, blank=True)
    withdrawal_document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("收回文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_in = models.ForeignKey(
        DelegationCatalogue,
        verbose_name=_("收回所在版次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_powers",
        help_text=_("由新版目录收回时填写"),
    )
    not_taken_over_cause = models.CharField(
        _("未承接原因"), max_length=20, choices=NotTakenOverCause.choices, blank=True
    )
    not_taken_over_reason = models.CharField(
        _("未承接原因说明"), max_length=300, blank=True, help_text=_("原因为“其他”时必填")
    )
    scope_path = "town__county"
    town_path = "town"
    period_fields = ("delegated_on", "take_over_on")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("下放事项")
        verbose_name_plural = _("下放事项")
        ordering = ["town", "item__type_code", "pk"]
        indexes = [
            models.Index(fields=["town", "take_over_status"]),
            # The untrained alert's powers (not taken over, a sixth of them) read from the index alone
            # each night, not by scanning every power (1.6 GB at nation scale).
            models.Index(
                fields=["delegated_on"],
                include=["id", "town", "withdrawn_on", "take_over_on"],
                condition=~Q(take_over_status="taken_over"),
                name="power_not_taken_over",
            ),
            # The rest of that alert's powers: taken over, but on a date still to come.
            models.Index(
                fields=["take_over_on"], condition=Q(take_over_status="taken_over"), name="power_taken_over_on"
            ),
        ]
        constraints = [
            # Among the powers in force only: an item withdrawn earlier may be delegated again.
            models.UniqueConstraint(
                fields=["town", "item"],
                condition=Q(withdrawn_on__isnull=True),
                name="power_once_per_town_in_force",
                violation_error_message=_("该事项已在本镇的放权目录中。"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=F("delegated_on")),
                name="power_withdrawn_after_delegation",
                violation_error_message=_("收回日期必须晚于下放日期。"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawal_reason=""),
                name="power_withdrawal_has_reason",
                violation_error_message=_("收回事项必须说明收回原因。"),
            ),
            models.CheckConstraint(
                condition=Q(take_over_on__isnull=True) | Q(take_over_on__gte=F("delegated_on")),
                name="power_take_over_after_delegation",
                violation_error_message=_("承接日期不能早于下放日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(take_over_status="taken_over") | Q(take_over_on__isnull=False),
                name="power_taken_over_has_date",
                violation_error_message=_("已承接的事项必须填写承接日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(take_over_status="not_taken_over") | ~Q(not_taken_over_cause=""),
                name="power_not_taken_over_has_cause",
                violation_error_message=_("未承接到位的事项必须选择原因。"),
            ),
            models.CheckConstraint(
                condition=~Q(not_taken_over_cause="other") | ~Q(not_taken_over_reason=""),
                name="power_other_cause_explained",
                violation_error_message=_("原因为“其他”时必须说明具体原因。"),
            ),
        ]

    # The field a clerk fills in to satisfy each "either ... or" check (core.constraints).
    constraint_error_fields = {
        "power_taken_over_has_date": "take_over_on",
        "power_not_taken_over_has_cause": "not_taken_over_cause",
        "power_other_cause_explained": "not_taken_over_reason",
    }

    def __str__(self):
        return f"{self.town} · {self.item}"

    def clean(self):
        errors = self._take_over_errors()
        if self.catalogue_id and self.delegated_on and self.delegated_on < self.catalogue.issued_on:
            errors["delegated_on"] = _("下放日期不能早于放权目录的发布日期(%(date)s)。") % {
                "date": self.catalogue.issued_on
            }
        if self.catalogue_id and self.town_id:
            if self.catalogue.town_id not in (None, self.town_id):
                errors["catalogue"] = _("该目录是为其他镇发布的。")
            elif self.catalogue.county_id != self.town.county_id:
                errors["catalogue"] = _("该目录不是本镇所属县发布的。")
        if self.item_id and self.town_id and self.item.source_department.county_id != self.town.county_id:
            errors["item"] = _("该事项不属于本镇所属县的部门。")
        errors.update(self._overlap_errors())
        if self.withdrawn_in_id and self.town_id and self.withdrawn_in.town_id not in (None, self.town_id):
            errors["withdrawn_in"] = _("该目录是为其他镇发布的。")
        elif self.withdrawn_in_id and self.catalogue_id and self.withdrawn_in_id == self.catalogue_id:
            errors["withdrawn_in"] = _("收回须由之后的版次作出。")
        if self.withdrawn_in_id and not self.withdrawn_on:
            errors["withdrawn_on"] = _("由新版目录收回时须填写收回日期。")
        if errors:
            raise ValidationError(errors)

    def _overlap_errors(self):
        """The same item may be delegated to the town again only after its earlier withdrawal."""
        if not (self.town_id and self.item_id and self.delegated_on):
            return {}
        others = DelegatedPower.objects.filter(town_id=self.town_id, item_id=self.item_id).exclude(pk=self.pk)
        overlapping = others.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=self.delegated_on))
        if self.withdrawn_on:
            overlapping = overlapping.filter(delegated_on__lt=self.withdrawn_on)
        if overlapping.filter(withdrawn_on__isnull=False).exists():
            return {"delegated_on": _("该事项此前下放的记录在此日期仍有效;重新下放须在其收回之后。")}
        return {}

    def _take_over_errors(self):
        """{field: message} of the take-over rules the database cannot state on its own.

        A power taken over no longer has a cause for not being taken over: the cause is cleared here, and
        the history keeps the copy that had it.
        """
        errors = {}
        if self.take_over_status == self.TakeOverStatus.TAKEN_OVER:
            self.not_taken_over_cause, self.not_taken_over_reason = "", ""
            if self.take_over_on is None:
                errors["take_over_on"] = _("已承接的事项必须填写承接日期。")
            if self.receiving_organ_id is None:
                errors["receiving_organ"] = _("已承接的事项必须选择承接机构(镇机构或派驻机构)。")
        if self.receiving_organ_id and self.town_id and self.receiving_organ.town_id != self.town_id:
            errors["receiving_organ"] = _("承接机构必须是本镇的机构或派驻机构。")
        return errors


# Case counts exist only for months of the reform's era; a year such as 0001 is a typing slip, and the
# statistics' month arithmetic (12-month windows) would run off the calendar's start.
CASE_MONTH_YEARS = (2000, 2099)
MONTH_OUT_OF_RANGE = _("月份应在 2000-01 至 2099-12 之间。")


MONTH_INVALID = _("月份格式应为 YYYY-MM,且须是 2000 至 2099 年间真实存在的月份。")
MONTH_PATTERN = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def case_month_in_range(month):
    """Whether the date ``month`` falls in a year case counts can be recorded for."""
    return CASE_MONTH_YEARS[0] <= month.year <= CASE_MONTH_YEARS[1]


def case_month(value):
    """'2025-03', a real date such as '2025-03-17', or a date → the first day of that month.

    None for anything else, including impossible dates ('2031-02-31'), which used to be cut to their
    month silently, and months outside the years case counts are kept for ('0001-01').
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        month = value.replace(day=1)
    else:
        text = str(value).strip()
        if not MONTH_PATTERN.fullmatch(text):
            return None
        try:
            month = dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01").replace(day=1)
        except ValueError:
            return None
    return month if case_month_in_range(month) else None


class MonthlyCaseCount(LedgerModel):
    """Cases accepted and closed for one delegated power in one month (月度办件量).

    ``handled_by`` separates the town's own cases from cases the county department still records
    for the same item in that town; the latter reveal powers delegated on paper only (明放暗不放).
    Not history-tracked: feeds write millions of these, and each row is itself a dated record.
    """

    class HandledBy(models.TextChoices):
        TOWN = "town", _("镇")
        COUNTY_DEPARTMENT = "county_department", _("县直部门")

    # No index of its own: the unique (power, month, handled_by) index serves every lookup by power, and
    # a second index over the largest table would double the cost of each feed's insert.
    power = models.ForeignKey(
        DelegatedPower,
        verbose_name=_("下放事项"),
        on_delete=models.CASCADE,
        related_name="case_counts",
        db_index=False,
    )
    month = models.DateField(_("月份"), help_text=_("当月第一天"))
    handled_by = models.CharField(_("办理主体"), max_length=20, choices=HandledBy.choices, default=HandledBy.TOWN)
    # A second record for a month is a mistake in the month typed, not in who handled the cases.
    constraint_error_fields = {"case_count_once_per_month": "month"}
    # The column's range on PostgreSQL, stated so that the embedded SQLite (whose integers are 64-bit)
    # refuses the same counts: a count the production database cannot hold is a 400 everywhere.
    accepted = models.PositiveIntegerField(_("受理件数"), default=0, validators=[MaxValueValidator(COUNT_MAX)])
    closed = models.PositiveIntegerField(_("办结件数"), default=0, validators=[MaxValueValidator(COUNT_MAX)])
    scope_path = "power__town__county"
    town_path = "power__town"
    period_fields = ("month",)

    class Meta:
        verbose_name = _("月度办件量")
        verbose_name_plural = _("月度办件量")
        ordering = ["power", "month"]
        indexes = [
            models.Index(fields=["month", "handled_by"]),
            # The department's cases of a window, read from the index alone by the paper-only rule of
            # the statistics (明放暗不放): a few percent of the rows, scattered over the whole table.
            models.Index(
                fields=["month"],
                include=["power", "accepted"],
                condition=models.Q(handled_by="county_department"),
                name="case_department_by_month",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["power", "month", "handled_by"],
                name="case_count_once_per_month",
                violation_error_message=_("该事项本月已有办件量记录。"),
            ),
        ]

    def __str__(self):
        return f"{self.power} · {format_month(self.month)}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("月份必须是该月第一天。")})
        if self.month and case_month(self.month) is None:
            raise ValidationError({"month": MONTH_OUT_OF_RANGE})


def _case_count_number(value, field, errors):
    """A count as an int, or None with the reason under ``field`` in ``errors``."""
    text = str(value).strip()
    if isinstance(value, bool) or not (isinstance(value, int) or text.lstrip("-").isdigit()):
        errors[field] = [str(_("必须是整数。"))]
        return None
    if int(text) < 0:
        errors[field] = [str(_("不能为负数。"))]
        return None
    try:
        # The column's own range (its validators), so a count the database cannot hold is a row error.
        MonthlyCaseCount._meta.get_field(field).run_validators(int(text))
    except ValidationError as error:
        errors[field] = error.messages
        return None
    return int(text)


def clean_case_count(values):
    """One month's counts as sent by a feed or a spreadsheet, checked and normalised: (cleaned, errors).

    ``month`` as ``case_month`` reads it; ``handled_by`` a handler, the town when blank; ``accepted``
    and ``closed`` whole numbers the columns hold (0 when absent). The bulk upsert and both imports
    check every row here; the record form and the record API reach the same rules through the model
    (``case_month`` in ``MonthlyCaseCount.clean`` and the columns' validators).
    """
    errors, cleaned = {}, {}
    cleaned["month"] = case_month(values.get("month", ""))
    if cleaned["month"] is None:
        errors["month"] = [str(MONTH_INVALID)]
    cleaned["handled_by"] = values.get("handled_by") or MonthlyCaseCount.HandledBy.TOWN
    if cleaned["handled_by"] not in MonthlyCaseCount.HandledBy.values:
        errors["handled_by"] = [str(_("办理主体只能是 town 或 county_department。"))]
    for field in ("accepted", "closed"):
        cleaned[field] = _case_count_number(values.get(field, 0), field, errors)
    return cleaned, errors


# Training and supervision live in their own module; imported here so that Django finds the models.
from .oversight import (  # noqa: E402, F401
    Finding,
    Grade,
    InspectionRound,
    InspectionScore,
    ItemPoints,
    ScoreItem,
    Training,
    TrainingCoverage,
)
