"""Territorial-management lists (属地管理清单) and the calls towns make on county departments (乡呼县应)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel


class ItemCategory(models.TextChoices):
    """Fields of territorial management as the counties' lists group them."""

    SAFETY = "safety", _("安全生产")
    ENVIRONMENT = "environment", _("生态环境")
    CONSTRUCTION = "construction", _("城乡建设")
    LAND = "land", _("自然资源")
    MARKET = "market", _("市场监管")
    AGRICULTURE = "agriculture", _("农业农村")
    SOCIAL = "social", _("社会治理")
    CULTURE = "culture", _("文化旅游")
    OTHER = "other", _("其他")


class ResponsibilityList(LedgerModel):
    """A county's territorial-management list (属地管理事项主体责任和配合责任清单), one batch of it.

    A county issues its list in batches by document; the items of every batch in force apply to all
    of the county's pilot towns.
    """

    county = models.ForeignKey(
        "reforms.Region", verbose_name=_("发布县"), on_delete=models.PROTECT, related_name="responsibility_lists"
    )
    title = models.CharField(_("名称"), max_length=300)
    document = models.ForeignKey(
        "reforms.SourceDocument", verbose_name=_("发布文件"), on_delete=models.PROTECT, null=True, blank=True
    )
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    issued_on = models.DateField(_("发布日期"))
    in_force_from = models.DateField(_("施行日期"))
    in_force_until = models.DateField(_("失效日期"), null=True, blank=True)
    scope_path = "county"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("属地管理清单")
        verbose_name_plural = _("属地管理清单")
        ordering = ["county", "batch"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "batch"],
                name="responsibility_list_batch_unique",
                violation_error_message=_("本县此批次的清单已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True) | Q(in_force_until__gte=models.F("in_force_from")),
                name="responsibility_list_in_force_order",
                violation_error_message=_("失效日期不能早于施行日期。"),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.issued_on and self.in_force_from and self.in_force_from < self.issued_on:
            raise ValidationError({"in_force_from": _("施行日期不能早于发布日期。")})


class ResponsibilityItem(LedgerModel):
    """One matter of a list (属地管理事项): who bears the main responsibility, who cooperates, and how.

    An item is withdrawn, never deleted once called on, so that its calls and history stay readable.
    """

    class MainUnit(models.TextChoices):
        TOWN = "town", _("乡镇(街道)")
        DEPARTMENT = "department", _("县直部门")

    responsibility_list = models.ForeignKey(
        ResponsibilityList, verbose_name=_("所属清单"), on_delete=models.PROTECT, related_name="items"
    )
    number = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("事项名称"), max_length=300)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices, default=ItemCategory.OTHER)
    legal_basis = models.TextField(_("依据"), blank=True)
    main_unit = models.CharField(
        _("主体责任单位类型"),
        max_length=10,
        choices=MainUnit.choices,
        blank=True,
        help_text=_("留空表示尚未明确主体责任单位(会产生预警)"),
    )
    main_department = models.ForeignKey(
        "delegation.Department",
        verbose_name=_("主体责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="main_responsibilities",
    )
    main_duty = models.TextField(_("主体责任"), blank=True)
    cooperating_units = models.CharField(_("配合责任单位"), max_length=500, blank=True)
    cooperating_duty = models.TextField(_("配合责任"), blank=True)
    withdrawn_on = models.DateField(_("取消日期"), null=True, blank=True)
    scope_path = "responsibility_list__county"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("属地管理事项")
        verbose_name_plural = _("属地管理事项")
        ordering = ["responsibility_list", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["responsibility_list", "number"],
                name="responsibility_item_number_unique",
                violation_error_message=_("本清单已有此序号的事项。"),
            ),
            models.CheckConstraint(
                condition=Q(main_unit="department", main_department__isnull=False)
                | (~Q(main_unit="department") & Q(main_department__isnull=True)),
                name="responsibility_item_main_department_iff_department",
                violation_error_message=_("主体责任单位为县直部门时须指明部门,否则不填部门。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        department = self.main_department if self.main_department_id else None
        county = self.responsibility_list.county_id if self.responsibility_list_id else None
        if department is not None and county is not None and department.county_id != county:
            raise ValidationError({"main_department": _("该部门不属于清单的发布县。")})

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


# Hours to accept and to close by urgency where a county set no policy of its own.
DEFAULT_LIMITS = {
    Urgency.NORMAL: (24, 120),
    Urgency.URGENT: (4, 48),
    Urgency.EMERGENCY: (1, 8),
}
DEFAULT_ON_TIME_THRESHOLD = 80


class CallPolicy(LedgerModel):
    """A county's time limits for calls (响应时限), by urgency, and the on-time rate it expects."""

    county = models.OneToOneField(
        "reforms.Region", verbose_name=_("县"), on_delete=models.PROTECT, related_name="call_policy"
    )
    accept_hours_normal = models.PositiveIntegerField(_("一般:受理时限(小时)"), default=24)
    close_hours_normal = models.PositiveIntegerField(_("一般:办结时限(小时)"), default=120)
    accept_hours_urgent = models.PositiveIntegerField(_("紧急:受理时限(小时)"), default=4)
    close_hours_urgent = models.PositiveIntegerField(_("紧急:办结时限(小时)"), default=48)
    accept_hours_emergency = models.PositiveIntegerField(_("特急:受理时限(小时)"), default=1)
    close_hours_emergency = models.PositiveIntegerField(_("特急:办结时限(小时)"), default=8)
    on_time_threshold = models.PositiveSmallIntegerField(
        _("按时办结率下限(%)"), default=DEFAULT_ON_TIME_THRESHOLD, help_text=_("部门季度按时办结率低于此值时预警")
    )
    scope_path = "county"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("呼叫响应时限")
        verbose_name_plural = _("呼叫响应时限")
        constraints = [
            models.CheckConstraint(
                condition=Q(on_time_threshold__lte=100),
                name="call_policy_threshold_percent",
                violation_error_message=_("按时办结率下限须在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(accept_hours_normal__gt=0, accept_hours_urgent__gt=0, accept_hours_emergency__gt=0)
                & Q(close_hours_normal__gt=0, close_hours_urgent__gt=0, close_hours_emergency__gt=0),
                name="call_policy_limits_positive",
                violation_error_message=_("时限须大于 0 小时。"),
            ),
        ]

    def __str__(self):
        return str(self.county)

    def limits(self, urgency):
        """(hours to accept, hours to close) for ``urgency``."""
        return getattr(self, f"accept_hours_{urgency}"), getattr(self, f"close_hours_{urgency}")


class Call(LedgerModel):
    """A town's call on a county department (乡呼县应): raised, accepted or returned, answered, closed, rated.

    Every step is a ``CallStep`` (who, when, what) written by ``territory.services``; the state and its
    times are kept on the call too, so that inboxes and figures read one row per call.
    """

    class State(models.TextChoices):
        RAISED = "raised", _("待受理")
        ACCEPTED = "accepted", _("待办结")
        RETURNED = "returned", _("已退回")
        DISPUTED = "disputed", _("争议待裁定")
        CLOSED = "closed", _("已办结待评价")
        EVALUATED = "evaluated", _("已评价")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    town = models.ForeignKey("reforms.Town", verbose_name=_("呼叫镇"), on_delete=models.PROTECT, related_name="calls")
    department = models.ForeignKey(
        "delegation.Department", verbose_name=_("响应部门"), on_delete=models.PROTECT, related_name="calls"
    )
    item = models.ForeignKey(
        ResponsibilityItem,
        verbose_name=_("清单事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        help_text=_("清单外事项留空"),
    )
    subject = models.CharField(_("事由"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("情况描述"), blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    raised_at = models.DateTimeField(_("呼叫时间"))
    accept_due = models.DateTimeField(_("受理时限"), editable=False)
    close_due = models.DateTimeField(_("办结时限"), editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.RAISED, editable=False)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True, editable=False)
    returned_reason = models.TextField(_("退回理由"), blank=True, editable=False)
    was_disputed = models.BooleanField(_("曾有争议"), default=False, editable=False)
    ruling = models.TextField(_("裁定意见"), blank=True, editable=False)
    response = models.TextField(_("处置情况"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True, editable=False)
    rating_comment = models.TextField(_("评价意见"), blank=True, editable=False)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True, editable=False)
    reopened = models.BooleanField(_("已重办"), default=False, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("呼叫人"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    external_id = models.CharField(
        _("外部编号"), max_length=64, blank=True, help_text=_("其他系统(12345 热线、网格平台)自己的编号,用于幂等提交")
    )
    scope_path = "town__county"
    town_path = "town"
    feeds_call_figures = True  # its writes may change the call figures (core.services._touch)
    department_path = "department"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("呼叫")
        verbose_name_plural = _("呼叫")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["raised_by", "external_id"],
                condition=~Q(external_id=""),
                name="call_external_id_unique_per_account",
                violation_error_message=_("该外部编号已提交过呼叫。"),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state", "accept_due"], name="call_department_inbox"),
            models.Index(fields=["town", "state"], name="call_town_inbox"),
            # A town's run rebuilds the call figures of every department it called from the twelve
            # months' calls to them (territory.figures): reached by department and time, not all months.
            models.Index(fields=["department", "raised_at"], name="call_department_raised"),
            # The quarter's calls of the on-time alert (territory.alerts.department_breaches), read from
            # the index alone: an eighth of the calls, where the whole table was scanned for them.
            models.Index(fields=["close_due"], include=["department", "closed_at"], name="call_close_due"),
        ]

    def __str__(self):
        return self.subject

    def clean(self):
        if self.department_id and self.town_id and self.department.county_id != self.town.county_id:
            raise ValidationError({"department": _("只能呼叫本镇所在县的县直部门。")})
        if self.item_id and self.town_id and self.item.responsibility_list.county_id != self.town.county_id:
            raise ValidationError({"item": _("该事项不在本县的属地管理清单中。")})

    @property
    def is_unlisted(self):
        """A matter outside the list (清单外事项)."""
        return self.item_id is None

    def is_accept_late(self, now):
        return (self.accepted_at or now) > self.accept_due

    def is_close_late(self, now):
        return (self.closed_at or now) > self.close_due


class CallStep(models.Model):
    """One step of a call (呼叫流转记录): who did what, when, and the state it left the call in."""

    class Action(models.TextChoices):
        RAISE = "raise", _("呼叫")
        ACCEPT = "accept", _("受理")
        RETURN = "return", _("退回")
        DISPUTE = "dispute", _("提出争议")
        ARBITRATE = "arbitrate", _("编办裁定")
        WITHDRAW = "withdraw", _("撤回")
        RESPOND = "respond", _("响应")
        CLOSE = "close", _("办结")
        EVALUATE = "evaluate", _("评价")
        REOPEN = "reopen", _("重新办理")

    call = models.ForeignKey(Call, verbose_name=_("呼叫"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    state_after = models.CharField(_("之后状态"), max_length=10, choices=Call.State.choices)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    scope_path = "call__town__county"
    town_path = "call__town"

    class Meta:
        verbose_name = _("呼叫流转记录")
        verbose_name_plural = _("呼叫流转记录")
        ordering = ["call", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "by", "external_id"],
                condition=~Q(external_id=""),
                name="call_step_external_id_unique",
                violation_error_message=_("该外部编号的环节已提交过。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


def hours_after(moment, hours):
    return moment + dt.timedelta(hours=hours)


# The counts of a call figure that add up over months, towns and departments (rates derive from them).
SUMMED = (
    "calls",
    "accepted",
    "accepted_on_time",
    "closed",
    "closed_on_time",
    "evaluated",
    "satisfied",
    "basically",
    "disputes",
    "unlisted",
)


class CallCounts(models.Model):
    """The counts of calls that add up over months, towns and departments (``SUMMED``)."""

    calls = models.PositiveIntegerField(_("呼叫数"), default=0)
    accepted = models.PositiveIntegerField(_("已受理"), default=0)
    accepted_on_time = models.PositiveIntegerField(_("按时受理"), default=0)
    closed = models.PositiveIntegerField(_("已办结"), default=0)
    closed_on_time = models.PositiveIntegerField(_("按时办结"), default=0)
    evaluated = models.PositiveIntegerField(_("已评价"), default=0)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basically = models.PositiveIntegerField(_("基本满意"), default=0)
    disputes = models.PositiveIntegerField(_("争议"), default=0)
    unlisted = models.PositiveIntegerField(_("清单外"), default=0)

    class Meta:
        abstract = True


class CallFigure(CallCounts):
    """Call-and-respond figures of one month (呼叫响应统计), for a town × department, a department or a town.

    Rebuilt by ``territory.figures.recompute`` with the other statistics; never edited. Counts are of
    the calls raised in the month; times are hours from raising to acceptance and to closing.
    """

    period = models.DateField(_("月份"))
    # Derived rows, as the summary tables' (stats.models.ScopedFigure): no foreign-key constraint in the
    # database. The first full run after a bulk load inserts ~220,000 of them at province scale, whose
    # deferred key checks cost seconds at its commit. Every key comes from a call, whose own constraints
    # hold the town and department (PROTECT).
    county = models.ForeignKey(
        "reforms.Region", verbose_name=_("县"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    department = models.ForeignKey(
        "delegation.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="call_figures",
        db_constraint=False,
    )
    dissatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    accept_hours_median = models.FloatField(_("受理用时中位数(小时)"), null=True, blank=True)
    accept_hours_p90 = models.FloatField(_("受理用时90分位(小时)"), null=True, blank=True)
    close_hours_median = models.FloatField(_("办结用时中位数(小时)"), null=True, blank=True)
    close_hours_p90 = models.FloatField(_("办结用时90分位(小时)"), null=True, blank=True)
    scope_path = "county"
    town_path = "town"
    department_path = "department"

    class Meta:
        verbose_name = _("呼叫响应统计")
        verbose_name_plural = _("呼叫响应统计")
        ordering = ["-period", "county", "town", "department"]
        indexes = [
            models.Index(fields=["period", "town"], name="call_figure_period_town"),
            models.Index(fields=["department", "period"], name="call_figure_department"),
            # A region's months, from its counties' department rows (a few per county and month).
            # It also carries every summed count, so that a province's year of department rows is summed
            # from the index alone, not from rows scattered over the table's pages.
            models.Index(
                fields=["county", "period"],
                name="call_figure_county_months",
                condition=Q(town=None),
                include=["department", *SUMMED],
            ),
        ]

    def __str__(self):
        return f"{self.period:%Y-%m} {self.town or ''}{self.department or ''}"


class DepartmentYearCalls(CallCounts):
    """A county department's call counts over one year (部门年度呼叫合计): its monthly ``CallFigure`` rows summed.

    Kept in step by every run that writes those rows (``territory.figures.recompute``), so that a city's
    or a province's dashboard ranks its departments from one row each, not from twelve each.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    department = models.ForeignKey(
        "delegation.Department", verbose_name=_("部门"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # As on ``CallFigure``: derived rows without key checks, the county held for scoping by region.
    county = models.ForeignKey(
        "reforms.Region", verbose_name=_("县"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    scope_path = "county"
    town_path = None
    department_path = "department"

    class Meta:
        verbose_name = _("部门年度呼叫合计")
        verbose_name_plural = _("部门年度呼叫合计")
        ordering = ["-year", "county", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "department"],
                name="department_year_calls_once",
                violation_error_message=_("一个部门每年只有一行呼叫合计。"),
            )
        ]
        indexes = [
            # A region's ranking reads this index alone: every department of its counties in one year.
            models.Index(
                fields=["year", "county"], include=["department", *SUMMED], name="department_year_calls_county"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.department_id}"


class RegionCallTimes(models.Model):
    """Response times of a city's or a province's calls over one year (呼叫响应用时), for its dashboard.

    A median does not add up over towns as the counts of ``CallFigure`` do, and above a county a year
    holds too many calls to sort on every view of a dashboard; the statistics engine's full run stores
    them (``territory.figures.recompute_region_times``). Towns and counties are read from their calls.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("reforms.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    calls = models.PositiveIntegerField(_("呼叫数"), default=0)
    accept_hours_median = models.FloatField(_("受理用时中位数(小时)"), null=True, blank=True)
    accept_hours_p90 = models.FloatField(_("受理用时90分位(小时)"), null=True, blank=True)
    close_hours_median = models.FloatField(_("办结用时中位数(小时)"), null=True, blank=True)
    close_hours_p90 = models.FloatField(_("办结用时90分位(小时)"), null=True, blank=True)
    items_never_called = models.PositiveIntegerField(_("从未被呼叫的清单事项数"), default=0)
    scope_path = "region"
    town_path = None

    class Meta:
        verbose_name = _("区域呼叫响应用时")
        verbose_name_plural = _("区域呼叫响应用时")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="region_call_times_once_a_year",
                violation_error_message=_("一个区域每年只有一行响应用时。"),
            )
        ]

    def __str__(self):
        return f"{self.year} {self.region}"


class ItemYearCalls(models.Model):
    """How many calls were raised on one list item in one year (清单事项年度被呼叫次数).

    Stored by the statistics engine's full run with ``RegionCallTimes``, for the dashboards of cities
    and provinces: there the items called most and those never called are read from these rows, not
    from a year of calls. An item without a row was not called that year.
    """

    item = models.ForeignKey(
        ResponsibilityItem, verbose_name=_("清单事项"), on_delete=models.CASCADE, related_name="year_calls"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    calls = models.PositiveIntegerField(_("呼叫数"))
    # The item's county, held here so that a city's or province's most called items are read from this
    # table alone (its lists never move to another county).
    county = models.ForeignKey("reforms.Region", verbose_name=_("区县"), on_delete=models.CASCADE, related_name="+")
    scope_path = "county"
    town_path = None

    class Meta:
        verbose_name = _("清单事项年度呼叫数")
        verbose_name_plural = _("清单事项年度呼叫数")
        indexes = [models.Index(fields=["year", "county", "calls"], name="item_year_calls_county")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "item"],
                name="item_year_calls_once",
                violation_error_message=_("一个清单事项每年只有一行呼叫数。"),
            )
        ]

    def __str__(self):
        return f"{self.year} {self.item}: {self.calls}"
