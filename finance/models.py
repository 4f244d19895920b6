"""Fiscal arrangements for a town and what was due, promised and paid each year."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel
from core.units import MU, WAN_YUAN, YUAN, MoneyField

from . import services

MONEY = {"max_digits": 16, "decimal_places": 2}


class FiscalArrangement(LedgerModel):
    """A fiscal support rule for a town (财政扶持政策): a rebate, fund, subsidy or land quota."""

    class Kind(models.TextChoices):
        TAX_REBATE = "tax_rebate", _("税收超收返还")
        LAND_PROCEEDS = "land_proceeds", _("土地出让金净收益")
        FEE_RETURN = "fee_return", _("规费罚没返还")
        FIXED_SUBSIDY = "fixed_subsidy", _("定额补助")
        INDUSTRY_FUND = "industry_fund", _("产业发展资金")
        WORKING_FUND = "working_fund", _("工作经费")
        PER_HEAD_GRANT = "per_head_grant", _("人均经费补助")
        LAND_QUOTA = "land_quota", _("建设用地指标")
        INCENTIVE = "incentive", _("激励奖励")

    class Unit(models.TextChoices):
        YUAN = "yuan", _("元")
        MU = "mu", _("亩")

    class Base(models.TextChoices):
        NONE = "", _("无")
        FIXED_YEAR = "fixed_year", _("固定基数年")
        PREVIOUS_YEAR = "previous_year", _("上年实绩")
        ROLLING_AVERAGE = "rolling_average", _("前若干年平均")

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="fiscal_arrangements",
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=4, choices=Unit.choices, default=Unit.YUAN)
    base_rule = models.CharField(_("基数规则"), max_length=20, choices=Base.choices, blank=True, default=Base.NONE)
    base_year = models.PositiveSmallIntegerField(_("基数年"), null=True, blank=True)
    base_amount = MoneyField(_("基数金额"), null=True, blank=True, **MONEY)
    share_percent = models.DecimalField(_("返还比例(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    promised_per_year = MoneyField(_("每年承诺额"), null=True, blank=True, **MONEY)
    from_year = models.PositiveSmallIntegerField(_("起始年度"))
    until_year = models.PositiveSmallIntegerField(_("截止年度"), null=True, blank=True)
    document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("依据文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    notes = models.TextField(_("说明"), blank=True)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("财政扶持政策")
        verbose_name_plural = _("财政扶持政策")
        ordering = ["town", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(base_amount__isnull=True) | Q(base_amount__gte=0))
                & (Q(promised_per_year__isnull=True) | Q(promised_per_year__gte=0)),
                name="arrangement_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(share_percent__gte=0, share_percent__lte=100),
                name="arrangement_share_in_range",
                violation_error_message=_("返还比例必须在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(until_year__isnull=True) | Q(until_year__gte=F("from_year")),
                name="arrangement_years_ordered",
                violation_error_message=_("截止年度不能早于起始年度。"),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.base_rule == self.Base.FIXED_YEAR and not self.base_year:
            raise ValidationError({"base_year": _("固定基数年规则必须填写基数年。")})

    @property
    def amount_unit(self):
        """Land quotas are in 亩; a per-head grant reads in 元 as the documents give it; the rest in 万元."""
        if self.unit == self.Unit.MU:
            return MU
        return YUAN if self.kind == self.Kind.PER_HEAD_GRANT else WAN_YUAN

    def amount_due(self, actual_revenue, base_amount=None):
        """What the rule makes due (see ``finance.services.amount_due``, where the rule lives)."""
        return services.amount_due(self, actual_revenue, base_amount)


class FiscalYearRecord(LedgerModel):
    """One year of an arrangement: revenue, amount due by rule, promised, paid (年度兑现)."""

    arrangement = models.ForeignKey(
        FiscalArrangement,
        verbose_name=_("扶持政策"),
        on_delete=models.CASCADE,
        related_name="year_records",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    actual_revenue = MoneyField(_("实际收入"), null=True, blank=True, **MONEY)
    amount_due = MoneyField(_("按规则应返还"), null=True, blank=True, **MONEY)
    promised = MoneyField(_("承诺额"), default=0, **MONEY)
    paid = MoneyField(_("实际兑现"), default=0, **MONEY)
    due_on = models.DateField(_("应兑现日期"), null=True, blank=True)
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    scope_path = "arrangement__town__county"
    town_path = "arrangement__town"
    period_fields = ("year",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度兑现")
        verbose_name_plural = _("年度兑现")
        ordering = ["arrangement", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "year"],
                name="fiscal_year_unique",
                violation_error_message=_("该政策本年度已有记录。"),
            ),
            models.CheckConstraint(
                condition=(Q(actual_revenue__isnull=True) | Q(actual_revenue__gte=0))
                & (Q(amount_due__isnull=True) | Q(amount_due__gte=0))
                & Q(promised__gte=0, paid__gte=0),
                name="fiscal_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.arrangement} {self.year}"

    def clean(self):
        services.fill_amount_due(self)

    @property
    def amount_unit(self):
        return self.arrangement.amount_unit if self.arrangement_id else WAN_YUAN
