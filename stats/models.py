"""Precomputed statistics (summary tables), policy alerts and the record of recompute runs.

Summary rows are keyed by scope (a town, county, city, province or pilot programme) and period (the
first day of a month). Every scope row also names the Region that decides who may read it, so that
``core.scoping`` applies to statistics exactly as to the ledger.
"""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.units import format_amount, trimmed

from .measures import METRICS


class ScopeKind(models.TextChoices):
    TOWN = "town", _("镇")
    COUNTY = "county", _("县")
    CITY = "city", _("市")
    PROVINCE = "province", _("省")
    PROGRAMME = "programme", _("试点批次")


class ScopedFigure(models.Model):
    """Columns every summary row shares: scope, period and the Region that scopes it."""

    scope_kind = models.CharField(_("统计范围"), max_length=10, choices=ScopeKind.choices)
    scope_id = models.BigIntegerField(_("范围编号"))
    period = models.DateField(_("统计月份"), help_text=_("当月第一天"))
    region = models.ForeignKey(
        "reforms.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+", db_constraint=False
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
    # How many town rows are summed into this one (1 for a town's own row): a town's recompute adds its
    # change to the rows above it and drops those left with no town. 0 marks a row written before
    # counts were kept, which a town's recompute re-sums instead.
    towns = models.PositiveIntegerField(_("汇总镇数"), default=0)
    scope_path = "region"
    town_path = "town"

    class Meta:
        abstract = True


class PowerFigure(ScopedFigure):
    """Delegated powers of one scope and month, for one power type and delegation mode (放权统计).

    Totals over types or modes are sums of these rows; the derived state follows
    ``delegation.selectors.with_derived_state`` as of the period's month.
    """

    power_type = models.CharField(_("权力类型"), max_length=2)
    mode = models.CharField(_("下放方式"), max_length=20)
    delegated = models.PositiveIntegerField(_("下放数"), default=0)
    taken_over = models.PositiveIntegerField(_("已承接"), default=0)
    running = models.PositiveIntegerField(_("正常运行"), default=0)
    unused = models.PositiveIntegerField(_("暂未使用"), default=0)
    not_taken_over = models.PositiveIntegerField(_("未承接到位"), default=0)
    town_cases = models.PositiveIntegerField(_("镇办件量(近12个月)"), default=0)
    department_cases = models.PositiveIntegerField(_("县直部门办件量(近12个月)"), default=0)

    class Meta:
        verbose_name = _("放权统计")
        verbose_name_plural = _("放权统计")
        ordering = ["period", "scope_kind", "scope_id", "power_type", "mode"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_id", "period", "power_type", "mode"], name="power_figure_unique"
            ),
        ]
        # No index by region: the town ranking reads ``TownPowerTotal``, and every other read finds a
        # scope's rows by the unique key (scope kind, scope id, period, …).

    def __str__(self):
        return f"{self.scope_kind}:{self.scope_id} {self.period:%Y-%m} {self.power_type}/{self.mode}"


class TownPowerTotal(models.Model):
    """One town's delegated powers of one month, summed over power types and modes (镇放权合计).

    The town power rows of ``PowerFigure`` summed, kept in step by every run that writes them, so that
    a dashboard ranks a province's towns from one small row each rather than from ~18 rows each.
    """

    period = models.DateField(_("统计月份"), help_text=_("当月第一天"))
    town = models.ForeignKey(
        "reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    region = models.ForeignKey(
        "reforms.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    delegated = models.PositiveIntegerField(_("下放数"), default=0)
    taken_over = models.PositiveIntegerField(_("已承接"), default=0)
    running = models.PositiveIntegerField(_("正常运行"), default=0)
    scope_path = "region"
    town_path = "town"

    class Meta:
        verbose_name = _("镇放权合计")
        verbose_name_plural = _("镇放权合计")
        ordering = ["period", "town"]
        constraints = [models.UniqueConstraint(fields=["period", "town"], name="town_power_total_unique")]
        indexes = [
            # The ranking of a region's towns reads this index alone: every town of a county, city or
            # province in one month, with the sums it ranks by.
            models.Index(
                fields=["period", "region"],
                include=["town", "delegated", "taken_over", "running"],
                name="town_power_total_by_region",
            ),
        ]

    def __str__(self):
        return f"{self.town_id} {self.period:%Y-%m}"


# The figures other than powers, each summable so that roll-ups are plain sums: named, labelled and
# ordered as ``stats.measures`` declares them.
Metric = models.TextChoices("Metric", [(f.name, (f.code, f.label)) for f in METRICS])


class Figure(ScopedFigure):
    """One figure of one scope and month, broken down by ``key`` (统计指标).

    ``key`` is the post type for headcount, the year for assessment, the arrangement kind for fiscal
    figures, the rule for alerts and the programme's id for pilot towns (a town's row says which
    programmes its figures were counted in). Averages and rates are derived when read (e.g. composite =
    composite_sum ÷ score_count) so that every stored figure adds up over towns.
    """

    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    key = models.CharField(_("分项"), max_length=40, blank=True)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["period", "scope_kind", "scope_id", "metric", "key"]
        constraints = [
            models.UniqueConstraint(fields=["scope_kind", "scope_id", "period", "metric", "key"], name="figure_unique"),
        ]
        indexes = [
            models.Index(fields=["period", "scope_kind", "region"]),
        ]

    def __str__(self):
        return f"{self.scope_kind}:{self.scope_id} {self.metric}[{self.key}]={self.value}"


class AlertRule(models.TextChoices):
    """The policy rules of the domain whose breach is accepted but flagged (预警规则)."""

    SECONDMENT_TOO_LONG = "secondment_too_long", _("借调超过规定月数")
    SECONDMENT_TOO_EARLY = "secondment_too_early", _("在镇工作年限不足或服务协议期内借调")
    TOWN_WEIGHT_LOW = "town_weight_low", _("镇级考核权重低于规定下限")
    OVERSTAFFED = "overstaffed", _("超编")
    FISCAL_UNPAID = "fiscal_unpaid", _("承诺资金逾期未兑现")
    ASSESSMENT_FAILED_TWICE = "assessment_failed_twice", _("连续两年考核不合格")
    PAPER_ONLY = "paper_only", _("明放暗不放")
    TASK_OVERDUE = "task_overdue", _("任务逾期未完成")
    UNTRAINED = "untrained", _("事项长期未承接且未培训")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("督导检查问题逾期未整改")
    CALL_NOT_ACCEPTED = "call_not_accepted", _("呼叫超时未受理")
    CALL_NOT_CLOSED = "call_not_closed", _("呼叫超时未办结")
    DEPARTMENT_LATE = "department_late", _("部门季度按时办结率偏低")
    ITEM_NO_MAIN_UNIT = "item_no_main_unit", _("属地事项未明确主体责任单位")


MESSAGES = {
    AlertRule.SECONDMENT_TOO_LONG: gettext_noop(
        "%(town)s的人员 %(staff)s 借调 %(months)s 个月,超过规定的 %(limit)s 个月。"
    ),
    AlertRule.SECONDMENT_TOO_EARLY: gettext_noop(
        "%(town)s的人员 %(staff)s 在镇工作未满 %(years)s 年或处于服务协议期内即被借调。"
    ),
    AlertRule.TOWN_WEIGHT_LOW: gettext_noop("考核方案“%(scheme)s”的镇级权重 %(weight)s%% 低于规定下限 %(minimum)s%%。"),
    AlertRule.OVERSTAFFED: gettext_noop("%(town)s的%(post_type)s实有 %(filled)s 人,超过核定数 %(approved)s。"),
    AlertRule.FISCAL_UNPAID: gettext_noop("%(town)s的“%(title)s”%(year)s 年度承诺 %(promised)s,逾期已兑现 %(paid)s。"),
    AlertRule.ASSESSMENT_FAILED_TWICE: gettext_noop("%(town)s在 %(previous)s 年和 %(year)s 年连续考核不合格。"),
    AlertRule.PAPER_ONLY: gettext_noop("%(town)s已承接“%(item)s”,近12个月镇里无办件,县直部门仍办理 %(cases)s 件。"),
    AlertRule.TASK_OVERDUE: gettext_noop("%(town)s的任务“%(task)s”已过完成时限 %(deadline)s 仍未完成。"),
    AlertRule.UNTRAINED: gettext_noop(
        "%(town)s的“%(item)s”自 %(delegated)s 下放以来超过 12 个月未承接,近 12 个月没有相关培训。"
    ),
    AlertRule.RECTIFICATION_OVERDUE: gettext_noop(
        "%(town)s在“%(inspection)s”中发现的问题“%(finding)s”已过整改期限 %(deadline)s 仍未整改。"
    ),
    AlertRule.CALL_NOT_ACCEPTED: gettext_noop("%(town)s呼叫%(department)s的“%(subject)s”超过时限仍未受理。"),
    AlertRule.CALL_NOT_CLOSED: gettext_noop("%(town)s呼叫%(department)s的“%(subject)s”超过时限仍未办结。"),
    AlertRule.DEPARTMENT_LATE: gettext_noop(
        "%(department)s近一季度按时办结率 %(rate)s%%,低于本县规定的 %(threshold)s%%。"
    ),
    AlertRule.ITEM_NO_MAIN_UNIT: gettext_noop("“%(list)s”第 %(number)s 项“%(item)s”未明确主体责任单位。"),
}


MONEY_PARAMS = {"promised", "paid"}
# Weights read as the documents write them: 30%, not 30.00%.
PERCENT_PARAMS = {"weight", "minimum"}


class Alert(models.Model):
    """A breach of a policy rule by one subject (预警), open until the condition clears.

    Alerts are never deleted: a cleared one is closed with ``closed_at``, and the same subject
    breaching the same rule later opens a new alert, so the history shows every episode.
    """

    rule = models.CharField(_("规则"), max_length=30, choices=AlertRule.choices)
    subject_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    subject_id = models.BigIntegerField(_("对象编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    key = models.CharField(_("分项"), max_length=40, blank=True)
    region = models.ForeignKey("reforms.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(
        "reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    since = models.DateField(_("起始日期"))
    params = models.JSONField(_("参数"), default=dict)
    is_open = models.BooleanField(_("未关闭"), default=True)
    opened_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    scope_path = "region"
    town_path = "town"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-is_open", "-since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "key"],
                condition=models.Q(is_open=True),
                name="alert_open_once",
            ),
            models.CheckConstraint(
                condition=models.Q(is_open=True, closed_at__isnull=True)
                | models.Q(is_open=False, closed_at__isnull=False),
                name="alert_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["town", "is_open"]),
            # The default order: a page of the newest open alerts is read off this index in order,
            # instead of sorting every open alert of a province (tens of thousands) for each page.
            models.Index(fields=["-is_open", "-since", "id"], name="alert_list_order"),
            # The open alerts of each region: a province's count of them (the API's list, 145,000 at
            # province scale) is read off this index region by region, not off the table.
            models.Index(fields=["region"], condition=models.Q(is_open=True), name="alert_open_region"),
        ]

    def __str__(self):
        return self.message

    @property
    def message(self):
        """The message in the active language."""
        params = dict(self.params)
        # Amounts are kept in 元 and read in 万元 with their unit, as everywhere else.
        for key in MONEY_PARAMS & params.keys():
            params[key] = format_amount(params[key])
        for key in PERCENT_PARAMS & params.keys():
            params[key] = trimmed(Decimal(params[key]), 2)
        return gettext(MESSAGES[self.rule]) % params

    def message_in(self, language):
        with translation.override(language):
            return self.message


class RecomputeRun(models.Model):
    """One run of the statistics recompute (统计重算记录): scope, timing, rows written, outcome."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCESS = "success", _("成功")
        FAILED = "failed", _("失败")
        # Its process died midway (killed, host restarted); the previous figures stayed in place.
        ABANDONED = "abandoned", _("已中断")

    scope = models.CharField(_("范围"), max_length=40, help_text=_("all 或镇代码"))
    as_of = models.DateField(_("统计日期"))
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("写入行数"), default=0)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("错误"), blank=True)
    triggered_by = models.CharField(_("触发方式"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("统计重算记录")
        verbose_name_plural = _("统计重算记录")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.scope} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class PendingRecompute(models.Model):
    """Outbox of towns touched since their last recompute (待重算), from which month; drained by the worker.

    Written whenever a town changes, before any message is sent to the broker, so that a lost
    message or an unreachable broker never loses a recompute.
    """

    town = models.OneToOneField("reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="+")
    touched_at = models.DateTimeField(_("修改时间"))
    # An edit of past data (a 2021 case count) changes the figures of every month from its own on;
    # empty: the current month only.
    since = models.DateField(_("起始月份"), null=True, blank=True, help_text=_("需重算的最早月份的第一天"))
    # Whether a change may have altered the town's call figures: an edit of any other ledger row leaves
    # them as they are, and a town's run then skips them (over a third of its time).
    calls = models.BooleanField(_("呼叫已变"), default=True, help_text=_("呼叫响应统计是否需重算"))
    # With ``calls``: the call figures changed only from this month on (an answer to a recent call);
    # empty: in any month of their window.
    calls_since = models.DateField(
        _("呼叫起始月份"), null=True, blank=True, help_text=_("呼叫响应统计需重算的最早月份的第一天")
    )

    class Meta:
        verbose_name = _("待重算镇")
        verbose_name_plural = _("待重算镇")

    def __str__(self):
        return str(self.town_id)


class RecomputeLock(models.Model):
    """A single row locked during a recompute on databases without advisory locks."""

    name = models.CharField(max_length=20, unique=True)

    class Meta:
        verbose_name = _("重算锁")
        verbose_name_plural = _("重算锁")

    def __str__(self):
        return self.name
