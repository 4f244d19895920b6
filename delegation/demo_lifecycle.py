"""Demo data for the life of a delegated power: who took it over, why not, later editions, training, inspection.

Kept apart from ``demo/`` so that the demo loader calls it in one line per step.
"""

import datetime as dt
from decimal import Decimal

from demo.upsert import upsert
from staffing.models import Organ

from .models import (
    TYPE_COUNT_FIELDS,
    DelegatedPower,
    DelegationCatalogue,
    Department,
    Finding,
    InspectionRound,
    InspectionScore,
    ItemPoints,
    PowerItem,
    PowerType,
    ScoreItem,
    Training,
    TrainingCoverage,
)

ENFORCEMENT_TYPES = ("02", "03")
# The demo's free-text reasons → the documents' causes; anything else is "other", with its text.
DEMO_CAUSES = {
    "缺少具备资质的专业人员": DelegatedPower.NotTakenOverCause.NO_TRAINED_STAFF,
    "派驻机构管理机制不完善": DelegatedPower.NotTakenOverCause.DISPATCHED_AGENCY,
}
# Generated where a document names no organ of the town, so that every taken-over power has one.
GENERATED_ORGAN = "便民服务中心"


def not_taken_over_fields(reason):
    """The cause and explanation of a demo power not taken over, from its free-text reason."""
    cause = DEMO_CAUSES.get(reason, DelegatedPower.NotTakenOverCause.OTHER)
    return {"not_taken_over_cause": cause, "not_taken_over_reason": reason}


def receiving_organ(town, type_code):
    """The town organ that takes over a power of ``type_code``: enforcement or the service centre."""
    organs = list(Organ.objects.filter(town=town).order_by("kind", "pk"))
    words = ("执法",) if type_code in ENFORCEMENT_TYPES else ("便民", "政务", "审批")
    for organ in organs:
        if any(word in organ.name for word in words):
            return organ
    if organs:
        return organs[0]
    organ, _created = Organ.objects.get_or_create(
        town=town,
        name=GENERATED_ORGAN,
        defaults={"kind": Organ.Kind.INSTITUTION, "is_mandatory": False, "is_generated": True},
    )
    return organ


# ---------------------------------------------------------------- the life of powers after delegation

YANDIAN = "371581109000"
# A generated adjustment of 烟店's 2019 catalogue: two penalties withdrawn and two added, one licence's
# mode changed; the per-type counts in force stay the document's (35 + 91 + 1 + 1 = 128).
ADJUSTED_ON = dt.date(2023, 7, 1)
WITHDRAWAL_REASON = "镇里长期无办件,收回县综合行政执法局行使(演示生成)"
MODE_CHANGE_REASON = "下放方式调整(演示生成)"
TRAINED_SHARE = 3  # one in three of Dongying's powers not taken over had a training in the last year
INSPECTED_ON = dt.date(2025, 9, 15)
SCORE_SHEET = [("事项承接到位", 30), ("办件运行规范", 30), ("人员培训与配备", 20), ("台账管理", 20)]
# (score, finding, months from the inspection to the rectification deadline, rectified?) per town.
DONGYING_RESULTS = [
    (93.5, "部分事项办件未录入政务服务平台", 3, True),
    (86.0, "委托事项缺少书面委托协议", 3, False),
    (78.5, "派驻机构人员仍由县直部门管理,承接事项未实际运行", 2, False),
    (91.0, "培训记录不完整", 3, True),
    (64.0, "多项行政处罚事项未承接到位", 2, False),
    (57.5, "下放事项台账与目录不一致", 1, False),
]


def load_lifecycle(towns, today):
    """烟店's later edition, training for Dongying's powers not taken over, and a Dongying inspection."""
    load_yandian_adjustment(towns[YANDIAN])
    dongying = [town for town in towns.values() if town.county.parent and town.county.parent.code == "370500"]
    load_dongying_training(sorted(dongying, key=lambda t: t.code), today)
    load_dongying_inspection(sorted(dongying, key=lambda t: t.code), today)


def load_yandian_adjustment(town):
    first = DelegationCatalogue.objects.get(county=town.county, town=town, edition=1)
    second = upsert(
        DelegationCatalogue,
        {"county": town.county, "town": town, "edition": 2},
        title=f"{town.county.name}向{town.name}赋权事项动态调整(演示生成)",
        document=None,
        issued_on=ADJUSTED_ON,
        is_generated=True,
        declared_total=first.declared_total,
        **{field: getattr(first, field) for field in TYPE_COUNT_FIELDS.values()},
    )
    quiet = first.powers.filter(item__type_code=PowerType.PENALTY, case_counts__isnull=True).order_by(
        "-item__local_code"
    )
    # The two withdrawn by an earlier run, else (the first time) the last two penalties with no case at all.
    for power in list(quiet.filter(withdrawn_in=second)) or list(quiet.filter(withdrawn_in__isnull=True)[:2]):
        _withdraw(power, second, WITHDRAWAL_REASON)
    for n in (1, 2):
        _add_penalty(town, second, n)
    licence = first.powers.select_related("item").get(item__local_code="01-001")
    _withdraw(licence, second, MODE_CHANGE_REASON)
    new_mode = (
        DelegatedPower.Mode.ENTRUSTED if licence.mode == DelegatedPower.Mode.DIRECT else DelegatedPower.Mode.DIRECT
    )
    carried = {field: getattr(licence, field) for field in TAKE_OVER_FIELDS}
    if carried["take_over_on"]:
        carried["take_over_on"] = max(carried["take_over_on"], ADJUSTED_ON)
    upsert(
        DelegatedPower,
        {"town": town, "item": licence.item, "catalogue": second},
        mode=new_mode,
        delegated_on=ADJUSTED_ON,
        is_generated=True,
        **carried,
    )


TAKE_OVER_FIELDS = (
    "take_over_status",
    "take_over_on",
    "receiving_organ",
    "not_taken_over_cause",
    "not_taken_over_reason",
)


def _withdraw(power, edition, reason):
    upsert(
        DelegatedPower, {"pk": power.pk}, withdrawn_on=edition.issued_on, withdrawal_reason=reason, withdrawn_in=edition
    )


def _add_penalty(town, edition, n):
    department = Department.objects.get(county=town.county, name="综合行政执法局")
    item = upsert(
        PowerItem,
        {"implementation_code": f"{town.code}02A{n:03d}"},
        name=f"{town.name}行政处罚事项(调整新增)第{n}项",
        type_code=PowerType.PENALTY,
        local_code=f"02-A{n:02d}",
        source_department=department,
        source="2",
        legal_basis="",
        is_generated=True,
    )
    upsert(
        DelegatedPower,
        {"town": town, "item": item, "catalogue": edition},
        mode=DelegatedPower.Mode.DIRECT,
        delegated_on=ADJUSTED_ON,
        take_over_status=DelegatedPower.TakeOverStatus.TAKEN_OVER,
        take_over_on=ADJUSTED_ON + dt.timedelta(days=30),
        receiving_organ=receiving_organ(town, PowerType.PENALTY),
        is_generated=True,
    )


def load_dongying_training(towns, today):
    """A training a few months ago for every third power not taken over, by the power's own department."""
    held_on = today.replace(day=1) - dt.timedelta(days=90)
    for town in towns:
        waiting = town.delegated_powers.exclude(take_over_status=DelegatedPower.TakeOverStatus.TAKEN_OVER)
        by_department = {}
        for index, power in enumerate(waiting.select_related("item__source_department").order_by("pk")):
            if index % TRAINED_SHARE == 0:
                by_department.setdefault(power.item.source_department, []).append(power)
        for department, powers in sorted(by_department.items(), key=lambda pair: pair[0].name):
            training = upsert(
                Training,
                {"town": town, "department": department, "topic": f"{department.name}下放事项承接业务培训(演示)"},
                held_on=held_on,
                attendees=3 * len(powers) + 2,
                is_generated=True,
            )
            for power in powers:
                upsert(TrainingCoverage, {"training": training, "power": power}, is_generated=True)


def item_split(items, total):
    """[(item, points)]: ``total`` shared over the items in proportion to their maxima, in half points,
    the last item taking what rounding leaves, so that the points add up to the total exactly."""
    half = Decimal("0.5")
    shares = [((total * item.max_points / 100) / half).quantize(Decimal(1)) * half for item in items[:-1]]
    return list(zip(items, [*shares, total - sum(shares)], strict=True))


def load_item_points(score, items, total):
    """The score's points item by item (generated: the documents give totals only), adding up to ``total``.

    Written in one statement rather than row by row: each saved item would re-total the score on its way.
    """
    have = set(score.item_points.values_list("item_id", flat=True))
    ItemPoints.objects.bulk_create(
        ItemPoints(score=score, item=item, points=points, is_generated=True)
        for item, points in item_split(items, total)
        if item.pk not in have
    )


def load_dongying_inspection(towns, today):
    """A composite-rating round of Dongying city over its six towns: score sheet, scores, findings."""
    city = towns[0].county.parent
    inspection = upsert(
        InspectionRound,
        {"region": city, "title": "东营市试点强镇下放事项运行督导检查(演示生成)"},
        kind=InspectionRound.Kind.COMPOSITE,
        held_on=INSPECTED_ON,
        is_generated=True,
    )
    items = [
        upsert(ScoreItem, {"inspection": inspection, "name": name}, max_points=Decimal(points), is_generated=True)
        for name, points in SCORE_SHEET
    ]
    for town, (score, finding, months, rectified) in zip(towns, DONGYING_RESULTS, strict=True):
        total = Decimal(str(score))
        scored = upsert(InspectionScore, {"inspection": inspection, "town": town, "power": None}, score=total)
        load_item_points(scored, items, total)
        deadline = INSPECTED_ON + dt.timedelta(days=30 * months)
        upsert(
            Finding,
            {"inspection": inspection, "town": town, "description": finding},
            deadline=deadline,
            status=Finding.Status.RECTIFIED if rectified else Finding.Status.OPEN,
            rectified_on=deadline - dt.timedelta(days=10) if rectified else None,
            is_generated=True,
        )
