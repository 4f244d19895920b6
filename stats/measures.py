"""Every figure of the statistics, declared once: what it is called, how a town's value is computed,
how it rolls up, its unit and where it is shown.

A stored figure (``Stored``) is a count or amount per town that adds up over towns: a column of the
power rows (``table=POWER``) or a metric of the figures table. A rate (``Rate``) is derived when read,
from two stored sums: a share of one in the other, in percent, or an average of one per the other. The
order of ``FIGURES`` is the order of the metric choices and, strand by strand, of the dashboards' rows.

What reads this list, so that nothing else has to be edited for a new figure:

- ``stats.models.Metric`` (the figures table's metric choices) and ``POWER_MEASURES`` (the power columns);
- the engine, ``stats.figures``: each town's value from its source (``per_town``) or power SQL (``sql``);
  every level above a town is the sum of the level below;
- the read side: ``stats.selectors`` (``STRAND_METRICS``, ``SHARES``, ``AVERAGES`` and their rounding),
  ``stats.dashboards`` (``ROWS``: the details table, compare page and every export sheet) and the
  API's value format (``AMOUNT_METRICS``).

This module imports no model, so that ``stats.models`` can read it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

POWER = "power"
FIGURE = "figure"

COUNT = "count"
YUAN = "yuan"
SCORE = "score"

DELEGATION = _("放权赋能")
STAFFING = _("机构编制")
ASSESSMENT = _("方案与考核")
FINANCE = _("财政扶持")
ALERTS = _("预警")

MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class Stored:
    """A figure stored per town and summed over towns at every level above.

    ``code`` is the stored name (the metric's database value, or the power column); ``name`` the
    ``Metric`` member. ``per_town`` maps a source of ``stats.figures.figure_sources`` to the aggregate
    over its rows (a callable takes the month's last day); ``sql`` gives a power column's SQL from the
    power pass's conditions. ``strand`` None: kept for the engine only (never read by the dashboards).
    ``heading`` the dashboard row's label when it differs from ``label``; ``link`` (list URL name,
    query) the ledger rows behind it; ``shown`` whether it is a row of the dashboards.
    """

    code: str
    label: Any
    strand: Any = None
    table: str = FIGURE
    unit: str = COUNT
    name: str = ""
    per_town: dict = field(default_factory=dict)
    sql: Any = None
    heading: Any = None
    link: tuple | None = None
    shown: bool = True

    @property
    def row_label(self):
        return self.heading or self.label


@dataclass(frozen=True)
class Rate:
    """A figure derived when read: ``part`` ÷ ``whole`` in percent (``share``) or per unit (average),
    rounded half up to ``places``; None when there is nothing to divide by. ``basis`` says what it
    divides by; ``missing`` why it may have no value."""

    code: str
    label: Any
    strand: Any
    part: str
    whole: str
    share: bool = True
    places: Decimal = Decimal("0.1")
    basis: Any = None
    missing: Any = None
    shown: bool = True

    link = None
    unit = COUNT


def _overdue(as_of):
    return Count("pk", filter=Q(deadline__lt=as_of) & ~Q(status="done"))


def _arrears(as_of):
    unpaid = Case(When(promised__gt=F("paid"), then=F("promised") - F("paid")), default=Value(0), output_field=MONEY)
    return Sum(unpaid)


def _approved_reported(as_of):
    # Lazily: the filled posts' model is not importable when the models module reads this one.
    from staffing.models import FilledPosts
    from staffing.selectors import latest_headcount

    filled = latest_headcount(FilledPosts, as_of).filter(town=OuterRef("town"), post_type=OuterRef("post_type"))
    return Coalesce(Sum("approved", filter=Q(Exists(filled))), 0)


def _composite_sum(as_of):
    from .figures import composite

    return Sum(composite(), output_field=MONEY)


FIGURES: list[Stored | Rate] = [
    Stored(
        "delegated", _("下放事项"), DELEGATION, POWER, sql=lambda c: "COUNT(*)", link=("delegation:powers_list", {})
    ),
    Stored(
        "taken_over",
        _("已承接"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COUNT(*) FILTER (WHERE {c['taken']})",
        link=("delegation:powers_list", {"take_over_status": "taken_over"}),
    ),
    Rate("take_over_rate", _("承接率"), DELEGATION, "taken_over", "delegated", basis=_("已承接 ÷ 下放事项")),
    Stored(
        "running",
        _("正常运行"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COUNT(*) FILTER (WHERE {c['running']})",
        link=("delegation:powers_list", {"derived_state": "running"}),
    ),
    Stored(
        "unused",
        _("暂未使用"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COUNT(*) FILTER (WHERE {c['unused']})",
        link=("delegation:powers_list", {"derived_state": "unused"}),
    ),
    Stored(
        "not_taken_over",
        _("未承接到位"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COUNT(*) FILTER (WHERE {c['not_taken_over']})",
        link=("delegation:powers_list", {"derived_state": "not_taken_over"}),
    ),
    Rate("running_rate", _("运行率"), DELEGATION, "running", "taken_over", basis=_("正常运行 ÷ 已承接")),
    Rate("running_share", _("运行占比"), DELEGATION, "running", "delegated", shown=False),
    Rate("unused_share", _("未使用占比"), DELEGATION, "unused", "delegated", shown=False),
    Rate("not_taken_over_share", _("未承接占比"), DELEGATION, "not_taken_over", "delegated", shown=False),
    Stored(
        "town_cases",
        _("镇办件量(近12个月)"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COALESCE(SUM({c['tc']}), 0)",
        link=("delegation:case-counts_list", {"handled_by": "town"}),
    ),
    Stored(
        "department_cases",
        _("县直部门办件量(近12个月)"),
        DELEGATION,
        POWER,
        sql=lambda c: f"COALESCE(SUM({c['dc']}), 0)",
        link=("delegation:case-counts_list", {"handled_by": "county_department"}),
    ),
    Rate(
        "cases_per_power",
        _("事项平均办件量"),
        DELEGATION,
        "town_cases",
        "delegated",
        share=False,
        places=Decimal("0.01"),
        shown=False,
    ),
    # Powers in force and not taken over at the month's end with no training in the 12 months before it.
    Stored(
        "untrained",
        _("未承接且近12个月未培训"),
        DELEGATION,
        name="UNTRAINED",
        per_town={"untrained": Count("pk"), "trained": Count("pk") * 0},
        link=("delegation:powers_list", {"untrained": "true"}),
    ),
    # Approved headcount is administrative + institutional posts; leadership posts are counted within
    # the administrative posts and the headcount-control number is a separate allowance, so neither
    # is ever added to it.
    Stored(
        "approved",
        _("核定编制"),
        STAFFING,
        name="APPROVED",
        per_town={"posts": Sum("approved")},
        link=("staffing:quotas_list", {}),
    ),
    Stored(
        "filled",
        _("实有人数"),
        STAFFING,
        name="FILLED",
        per_town={"filled": Sum("filled")},
        link=("staffing:filled_list", {}),
    ),
    Rate(
        "fill_rate",
        _("编制使用率"),
        STAFFING,
        "filled",
        "approved_reported",
        basis=_("实有人数 ÷ 核定编制(行政 + 事业)"),
        missing=_("无实有人数数据"),
    ),
    # The approved posts of the post types whose filled posts are recorded: what a fill rate divides by,
    # so that a town without filled-posts data shows no rate rather than 0%.
    Stored(
        "approved_reported",
        _("有实有人数数据的核定编制"),
        STAFFING,
        name="APPROVED_REPORTED",
        per_town={"posts": _approved_reported},
        shown=False,
    ),
    Stored(
        "leadership",
        _("领导职数"),
        STAFFING,
        name="LEADERSHIP",
        per_town={"leadership": Sum("approved")},
        link=("staffing:quotas_list", {"post_type": "leadership"}),
    ),
    Stored(
        "headcount_control",
        _("员额控制数"),
        STAFFING,
        name="HEADCOUNT_CONTROL",
        per_town={"headcount_control": Sum("approved")},
        link=("staffing:quotas_list", {"post_type": "headcount_control"}),
    ),
    # A town without scores has a score count of 0, not no row.
    Stored(
        "score_count",
        _("考核评分数"),
        ASSESSMENT,
        name="SCORE_COUNT",
        per_town={"scores": Count("pk"), "unscored": Count("pk") * 0},
        link=("reforms:scores_list", {}),
    ),
    Stored(
        "composite_sum",
        _("综合得分合计"),
        ASSESSMENT,
        unit=SCORE,
        name="COMPOSITE_SUM",
        per_town={"scores": _composite_sum},
        shown=False,
    ),
    Stored(
        "weight_compliant",
        _("权重合规的评分数"),
        name="WEIGHT_COMPLIANT",
        per_town={"scores": Count("pk", filter=Q(scheme__town_weight__gte=F("scheme__min_town_weight")))},
    ),
    Rate(
        "composite",
        _("平均综合得分"),
        ASSESSMENT,
        "composite_sum",
        "score_count",
        share=False,
        missing=_("无考核评分"),
    ),
    Stored(
        "fiscal_due",
        _("按规则应返还"),
        FINANCE,
        unit=YUAN,
        name="FISCAL_DUE",
        per_town={"fiscal": Sum(Coalesce("amount_due", Value(0), output_field=MONEY))},
        shown=False,
    ),
    Stored(
        "fiscal_promised",
        _("承诺额"),
        FINANCE,
        unit=YUAN,
        name="FISCAL_PROMISED",
        per_town={"fiscal": Sum("promised")},
        heading=_("承诺资金(万元)"),
        link=("finance:years_list", {}),
    ),
    Stored(
        "fiscal_paid",
        _("实际兑现"),
        FINANCE,
        unit=YUAN,
        name="FISCAL_PAID",
        per_town={"fiscal": Sum("paid")},
        heading=_("实际兑现(万元)"),
        link=("finance:years_list", {}),
    ),
    Rate("payment_rate", _("兑现率"), FINANCE, "fiscal_paid", "fiscal_promised", basis=_("实际兑现 ÷ 承诺资金")),
    Stored(
        "fiscal_arrears",
        _("欠付额"),
        FINANCE,
        unit=YUAN,
        name="FISCAL_ARREARS",
        per_town={"fiscal": _arrears},
        heading=_("欠付额(万元)"),
        link=("stats:alerts", {"rule": "fiscal_unpaid"}),
    ),
    Stored(
        "tasks",
        _("任务数"),
        ASSESSMENT,
        name="TASKS",
        per_town={"tasks": Count("pk")},
        heading=_("改革任务"),
        link=("reforms:tasks_list", {}),
    ),
    Stored(
        "tasks_done",
        _("已完成任务"),
        ASSESSMENT,
        name="TASKS_DONE",
        per_town={"tasks": Count("pk", filter=Q(status="done"))},
        link=("reforms:tasks_list", {"status": "done"}),
    ),
    Rate("task_done_rate", _("任务完成率"), ASSESSMENT, "tasks_done", "tasks", shown=False),
    Stored(
        "tasks_overdue",
        _("逾期任务"),
        ASSESSMENT,
        name="TASKS_OVERDUE",
        per_town={"tasks": _overdue},
        link=("stats:alerts", {"rule": "task_overdue"}),
    ),
    Stored(
        "open_alerts",
        _("未关闭预警"),
        ALERTS,
        name="OPEN_ALERTS",
        per_town={"open_alerts": Count("pk")},
        link=("stats:alerts", {}),
    ),
    # Which programmes a town is counted in (key: the programme): the programme rows sum these towns.
    Stored("pilot_towns", _("试点镇数"), name="PILOT_TOWNS", per_town={"members": Count("pk")}),
]

# Derived once here for every reader.
STORED = [f for f in FIGURES if isinstance(f, Stored)]
POWER_MEASURES = [f.code for f in STORED if f.table == POWER]
METRICS = [f for f in STORED if f.table == FIGURE]
# The metrics the dashboards read (everything with a strand).
STRAND_METRICS = [f.code for f in METRICS if f.strand is not None]
SHARES = {f.code: (f.part, f.whole) for f in FIGURES if isinstance(f, Rate) and f.share}
AVERAGES = {f.code: (f.part, f.whole, f.places) for f in FIGURES if isinstance(f, Rate) and not f.share}
# Amounts and score sums keep their two decimals; every other metric counts things.
AMOUNT_METRICS = {f.code for f in METRICS if f.unit in (YUAN, SCORE)}
# The dashboards' rows: strand by strand, in the order declared within each.
STRANDS = [DELEGATION, STAFFING, ASSESSMENT, FINANCE, ALERTS]
SHOWN = sorted((f for f in FIGURES if f.shown and f.strand is not None), key=lambda f: STRANDS.index(f.strand))
