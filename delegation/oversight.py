"""Training of the staff who take powers over, and supervision of how delegated powers run.

Models of the delegation app, kept in their own module (``delegation.models`` imports them): training
records (人员培训) and inspection rounds (督导检查) with their score sheets, scores, grades and findings.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import LedgerModel

POINTS = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(Decimal(0))]}


class Training(LedgerModel):
    """A training session (人员培训) that a county department held for the town staff taking powers over."""

    town = models.ForeignKey("reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="trainings")
    department = models.ForeignKey(
        "delegation.Department", verbose_name=_("组织部门"), on_delete=models.PROTECT, related_name="trainings"
    )
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    attendees = models.PositiveIntegerField(_("参训人数"))
    attendee_names = models.TextField(_("参训人员"), blank=True)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员培训")
        verbose_name_plural = _("人员培训")
        ordering = ["town", "-held_on", "pk"]

    def __str__(self):
        return f"{self.held_on} {self.topic}"

    def clean(self):
        if self.department_id and self.town_id and self.department.county_id != self.town.county_id:
            raise ValidationError({"department": _("组织部门须是本镇所属县的部门。")})


class TrainingCoverage(LedgerModel):
    """A delegated power that a training session covered (培训涉及事项)."""

    training = models.ForeignKey(
        Training, verbose_name=_("人员培训"), on_delete=models.CASCADE, related_name="coverage"
    )
    power = models.ForeignKey(
        "delegation.DelegatedPower",
        verbose_name=_("下放事项"),
        on_delete=models.CASCADE,
        related_name="training_coverage",
    )
    scope_path = "training__town__county"
    town_path = "training__town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训涉及事项")
        verbose_name_plural = _("培训涉及事项")
        ordering = ["training", "power"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "power"],
                name="training_covers_power_once",
                violation_error_message=_("该培训已记录此事项。"),
            ),
        ]

    def __str__(self):
        return f"{self.training} · {self.power}"

    def clean(self):
        if self.training_id and self.power_id and self.power.town_id != self.training.town_id:
            raise ValidationError({"power": _("该事项不属于培训所在镇。")})


class InspectionRound(LedgerModel):
    """An inspection round (督导检查) a city or county holds on how delegated powers run, with grade bands."""

    class Kind(models.TextChoices):
        SELF_CHECK = "self_check", _("组织自查")
        SPOT_CHECK = "spot_check", _("实地抽查")
        COMPOSITE = "composite", _("综合评定")

    region = models.ForeignKey(
        "reforms.Region", verbose_name=_("组织地区"), on_delete=models.PROTECT, related_name="inspection_rounds"
    )
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("检查日期"))
    document = models.ForeignKey(
        "reforms.SourceDocument", verbose_name=_("依据文件"), on_delete=models.PROTECT, null=True, blank=True
    )
    excellent_from = models.DecimalField(_("优秀线"), default=Decimal(90), **POINTS)
    good_from = models.DecimalField(_("良好线"), default=Decimal(80), **POINTS)
    pass_from = models.DecimalField(_("合格线"), default=Decimal(60), **POINTS)
    scope_path = "region"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督导检查")
        verbose_name_plural = _("督导检查")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_from__gt=F("good_from"), good_from__gt=F("pass_from")),
                name="inspection_grade_bands_ordered",
                violation_error_message=_("等次分数线须依次降低:优秀 > 良好 > 合格。"),
            ),
        ]

    def __str__(self):
        return self.title

    def grade(self, score):
        """The grade band (``Grade``) of ``score`` in this round."""
        if score is None:
            return ""
        for grade, line in ((Grade.EXCELLENT, self.excellent_from), (Grade.GOOD, self.good_from)):
            if score >= line:
                return grade
        return Grade.PASS if score >= self.pass_from else Grade.FAIL


class Grade(models.TextChoices):
    """Grades of an inspection (评分定级)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class ScoreItem(LedgerModel):
    """One line of a round's score sheet (评分细则): what is checked and its maximum points."""

    inspection = models.ForeignKey(
        InspectionRound, verbose_name=_("督导检查"), on_delete=models.CASCADE, related_name="score_items"
    )
    name = models.CharField(_("评分项目"), max_length=200)
    max_points = models.DecimalField(_("分值"), **POINTS)
    scope_path = "inspection__region"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["inspection", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "name"],
                name="score_item_unique_in_round",
                violation_error_message=_("本轮检查已有同名评分项目。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.pk and self.max_points is not None:
            over = self.points.filter(points__gt=self.max_points).select_related("score__town").first()
            if over is not None:
                message = _("%(town)s该项已得 %(points)s 分,分值不能低于此。")
                raise ValidationError({"max_points": message % {"town": over.score.town.name, "points": over.points}})


class InspectionScore(LedgerModel):
    """A town's score in a round (镇得分), or one of its powers' when ``power`` is given; graded by the round."""

    inspection = models.ForeignKey(
        InspectionRound, verbose_name=_("督导检查"), on_delete=models.CASCADE, related_name="scores"
    )
    town = models.ForeignKey(
        "reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="inspection_scores"
    )
    power = models.ForeignKey(
        "delegation.DelegatedPower",
        verbose_name=_("下放事项"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspection_scores",
        help_text=_("留空为全镇得分"),
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, editable=False)
    remarks = models.TextField(_("评语"), blank=True)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查得分")
        verbose_name_plural = _("检查得分")
        ordering = ["inspection", "town", "power", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "town"],
                condition=Q(power__isnull=True),
                name="inspection_town_scored_once",
                violation_error_message=_("该镇在本轮检查中已有得分。"),
            ),
            models.UniqueConstraint(
                fields=["inspection", "power"],
                condition=Q(power__isnull=False),
                name="inspection_power_scored_once",
                violation_error_message=_("该事项在本轮检查中已有得分。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="inspection_score_in_range",
                violation_error_message=_("得分应在 0 至 100 之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.town} {self.score}"

    def clean(self):
        if self.power_id and self.town_id and self.power.town_id != self.town_id:
            raise ValidationError({"power": _("该事项不属于本镇。")})
        if self.pk and self.score is not None:
            total = self.item_points.aggregate(total=models.Sum("points"))["total"]
            if total is not None and total != self.score:
                message = _("得分按评分项目逐项合计为 %(total)s,请修改各项得分。") % {"total": total}
                raise ValidationError({"score": message})

    def save(self, *args, **kwargs):
        # The grade follows the round's bands, so a list can filter and sort by it.
        self.grade = self.inspection.grade(self.score)
        super().save(*args, **kwargs)

    def follow_items(self, user=None):
        """Make the total the sum of the item points (kept as typed in when there are none), and regrade."""
        total = self.item_points.aggregate(total=models.Sum("points"))["total"]
        if total is None or total == self.score:
            return
        self.score, self._history_user = total, user
        self.save()


class ItemPoints(LedgerModel):
    """The points a town (or one of its powers) earned on one item of the round's score sheet (逐项得分).

    A score with item points totals them: its ``score`` is their sum (``delegation.services``), and each
    is at most the item's maximum. Scores recorded before the sheet had points keep the total typed in.
    """

    score = models.ForeignKey(
        InspectionScore, verbose_name=_("检查得分"), on_delete=models.CASCADE, related_name="item_points"
    )
    # An item with points is not deleted on its own (the totals would no longer add up); its round may be.
    item = models.ForeignKey(ScoreItem, verbose_name=_("评分项目"), on_delete=models.RESTRICT, related_name="points")
    points = models.DecimalField(_("得分"), **POINTS)
    scope_path = "score__town__county"
    town_path = "score__town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分项目得分")
        verbose_name_plural = _("评分项目得分")
        ordering = ["score", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["score", "item"],
                name="item_points_once_per_score",
                violation_error_message=_("该得分已记录此评分项目。"),
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.points}"

    # The score's total follows its items on every write, as its grade follows the total; the history
    # of the score records the new total under the user who changed the item.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._total_follows()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._total_follows()
        return result

    def _total_follows(self):
        # The score as saved now (not a copy read before its other items changed), locked until commit.
        score = InspectionScore.objects.select_for_update().get(pk=self.score_id)
        score.follow_items(getattr(self, "_history_user", None))

    def clean(self):
        if self.item_id and self.score_id and self.item.inspection_id != self.score.inspection_id:
            raise ValidationError({"item": _("该评分项目不属于本轮检查。")})
        if self.item_id and self.points is not None and self.points > self.item.max_points:
            raise ValidationError(
                {
                    "points": _("“%(item)s”得分 %(points)s 超过该项分值 %(max)s。")
                    % {"item": self.item.name, "points": self.points, "max": self.item.max_points}
                }
            )


class Finding(LedgerModel):
    """A problem an inspection found in a town (检查发现的问题), to be rectified by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        RECTIFIED = "rectified", _("已整改")

    inspection = models.ForeignKey(
        InspectionRound, verbose_name=_("督导检查"), on_delete=models.CASCADE, related_name="findings"
    )
    town = models.ForeignKey("reforms.Town", verbose_name=_("镇"), on_delete=models.CASCADE, related_name="findings")
    power = models.ForeignKey(
        "delegation.DelegatedPower",
        verbose_name=_("下放事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    description = models.TextField(_("问题"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("整改状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    scope_path = "town__county"
    town_path = "town"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["inspection", "town", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="rectified", rectified_on__isnull=False)
                | Q(status="open", rectified_on__isnull=True),
                name="finding_rectified_on_iff_rectified",
                violation_error_message=_("已整改的问题须填写整改完成日期,整改中的问题不填。"),
            ),
        ]

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if self.power_id and self.town_id and self.power.town_id != self.town_id:
            raise ValidationError({"power": _("该事项不属于本镇。")})
