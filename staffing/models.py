"""Organs and nameplates, approved headcount, filled posts, secondments and staffing policy."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel


class PostType(models.TextChoices):
    """Kinds of approved headcount (编制类型)."""

    ADMINISTRATIVE = "administrative", _("行政编制")
    INSTITUTIONAL = "institutional", _("事业编制")
    HEADCOUNT_CONTROL = "headcount_control", _("员额控制数")
    LEADERSHIP = "leadership", _("领导职数")


class Organ(LedgerModel):
    """A town organ (机构): a party-government work organ, public institution or dispatched agency."""

    class Kind(models.TextChoices):
        WORK_ORGAN = "work_organ", _("党政工作机构")
        INSTITUTION = "institution", _("事业单位")
        DISPATCHED_AGENCY = "dispatched_agency", _("派驻机构")

    town = models.ForeignKey("reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="organs")
    kind = models.CharField(_("机构类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    is_mandatory = models.BooleanField(_("规定必设"), default=True, help_text=_("否则为因地制宜设置的特色机构"))
    parent_department = models.ForeignKey(
        "delegation.Department",
        verbose_name=_("派出部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_agencies",
    )
    document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("设置依据"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["town", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="organ_unique_in_town",
                violation_error_message=_("本镇已有同名机构。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="dispatched_agency") | Q(parent_department__isnull=True),
                name="organ_parent_only_for_dispatched",
                violation_error_message=_("只有派驻机构才有派出部门。"),
            ),
        ]

    def __str__(self):
        return self.name


class Nameplate(LedgerModel):
    """An additional nameplate (加挂牌子) that an organ carries."""

    organ = models.ForeignKey(Organ, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="nameplates")
    name = models.CharField(_("牌子名称"), max_length=100)
    scope_path = "organ__town__county"
    town_path = "organ__town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("加挂牌子")
        verbose_name_plural = _("加挂牌子")
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "name"],
                name="nameplate_unique",
                violation_error_message=_("该机构已加挂此牌子。"),
            ),
        ]

    def __str__(self):
        return self.name


class HeadcountQuota(LedgerModel):
    """Approved headcount of one post type for a town from a date (核定编制)."""

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="headcount_quotas",
    )
    post_type = models.CharField(_("编制类型"), max_length=20, choices=PostType.choices)
    approved = models.PositiveIntegerField(_("核定数"))
    effective_on = models.DateField(_("生效日期"))
    document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("核定文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    scope_path = "town__county"
    town_path = "town"
    period_fields = ("effective_on",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("核定编制")
        verbose_name_plural = _("核定编制")
        ordering = ["town", "post_type", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "post_type", "effective_on"],
                name="quota_unique",
                violation_error_message=_("该镇此编制类型在该日期已有核定数。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_post_type_display()} {self.approved}"


class FilledPosts(LedgerModel):
    """How many posts of one type are filled (实有人数) as of a date."""

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="filled_posts",
    )
    post_type = models.CharField(_("编制类型"), max_length=20, choices=PostType.choices)
    filled = models.PositiveIntegerField(_("实有人数"))
    as_of = models.DateField(_("统计日期"))
    scope_path = "town__county"
    town_path = "town"
    period_fields = ("as_of",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实有人员")
        verbose_name_plural = _("实有人员")
        ordering = ["town", "post_type", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "post_type", "as_of"],
                name="filled_unique",
                violation_error_message=_("该镇此编制类型在该日期已有实有人数。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_post_type_display()} {self.filled}"


class Secondment(LedgerModel):
    """A town staff member seconded upward (借调); a staff reference, never a personal name."""

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="secondments",
    )
    staff_reference = models.CharField(_("人员编号"), max_length=50)
    borrowing_unit = models.CharField(_("借调单位"), max_length=200)
    joined_town_on = models.DateField(_("到镇工作日期"))
    starts_on = models.DateField(_("借调开始"))
    ends_on = models.DateField(_("借调结束"))
    under_service_agreement = models.BooleanField(_("服务协议期内"), default=False)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("借调")
        verbose_name_plural = _("借调")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="secondment_ends_after_start",
                violation_error_message=_("借调结束日期必须晚于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.staff_reference} → {self.borrowing_unit}"


class StaffingPolicy(LedgerModel):
    """The staffing rules a document sets for a town: excellent-grade share, secondment limits."""

    town = models.ForeignKey(
        "reforms.Town",
        verbose_name=_("镇"),
        on_delete=models.CASCADE,
        related_name="staffing_policies",
    )
    effective_on = models.DateField(_("生效日期"))
    excellent_share_percent = models.DecimalField(_("优秀等次比例上限(%)"), max_digits=5, decimal_places=2)
    max_secondment_months = models.PositiveSmallIntegerField(_("借调最长月数"), default=6)
    min_service_years_for_secondment = models.PositiveSmallIntegerField(_("可借调的最短在镇工作年限"), default=2)
    document = models.ForeignKey(
        "reforms.SourceDocument",
        verbose_name=_("依据文件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人事政策")
        verbose_name_plural = _("人事政策")
        ordering = ["town", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "effective_on"],
                name="staffing_policy_unique",
                violation_error_message=_("该镇在该日期已有人事政策。"),
            ),
            models.CheckConstraint(
                condition=Q(excellent_share_percent__gte=0, excellent_share_percent__lte=100),
                name="excellent_share_in_range",
                violation_error_message=_("优秀等次比例必须在 0 到 100 之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.town} {self.effective_on}"
