"""Demo staffing, assessment, plans and fiscal records from the documents' figures."""

import datetime as dt
from decimal import Decimal

from delegation import demo_lifecycle
from delegation.models import Department
from finance.models import FiscalArrangement, FiscalYearRecord
from reforms.models import (
    AssessmentScheme,
    AssessmentScore,
    ReformPlan,
    ReformTask,
    TownAnnualAssessment,
)
from staffing.models import (
    FilledPosts,
    HeadcountQuota,
    Nameplate,
    Organ,
    Secondment,
    StaffingPolicy,
)

from . import sources
from .upsert import upsert

D = dt.date


def load_organs(towns, documents):
    """Every demo town's organs by the documents' names; rows of an earlier demo under other names go."""
    kept = []
    for code, (doc_key, work_organs, institutions) in sources.ORGANS.items():
        for kind, organs in ((Organ.Kind.WORK_ORGAN, work_organs), (Organ.Kind.INSTITUTION, institutions)):
            for name, plates in organs:
                organ = upsert(
                    Organ,
                    {"town": towns[code], "name": name},
                    kind=kind,
                    is_mandatory=name not in sources.SPECIAL_ORGANS,
                    document=documents[doc_key],
                )
                kept.append(organ.pk)
                for plate in plates:
                    upsert(Nameplate, {"organ": organ, "name": plate})
    kept += load_dazhou_organs(towns, documents["dazhou_2023"])
    kept += load_dawang_branches(towns["370523101000"], documents["dongying"])
    # The organ generated to receive powers where a document names none is kept, or its powers would
    # lose their receiving organ and be given a new one on every load.
    receiving = Organ.objects.filter(name=demo_lifecycle.GENERATED_ORGAN, is_generated=True)
    Organ.objects.filter(town__in=towns.values()).exclude(pk__in=kept).exclude(pk__in=receiving).delete()


def load_dazhou_organs(towns, document):
    kept = []
    for code in sources.DAZHOU_TOWNS:
        town = towns[code]
        special = sources.DAZHOU_SPECIAL[town.category]
        for kind, (name, generated) in [(Organ.Kind.WORK_ORGAN, o) for o in sources.DAZHOU_MANDATORY] + [
            (Organ.Kind.INSTITUTION, special)
        ]:
            organ = upsert(
                Organ,
                {"town": town, "name": name},
                kind=kind,
                is_mandatory=kind == Organ.Kind.WORK_ORGAN,
                is_generated=generated,
                document=document,
            )
            kept.append(organ.pk)
    return kept


def load_dawang_branches(dawang, document):
    kept = []
    for bureau in sources.DAWANG_BRANCHES:
        parent = upsert(Department, {"county": dawang.county, "name": bureau.removesuffix("大王分局")})
        organ = upsert(
            Organ,
            {"town": dawang, "name": bureau},
            kind=Organ.Kind.DISPATCHED_AGENCY,
            parent_department=parent,
            document=document,
        )
        kept.append(organ.pk)
    return kept


def load_headcount(towns, documents):
    for code, (doc_key, effective_on, quotas) in sources.HEADCOUNT.items():
        for post_type, approved in quotas.items():
            upsert(
                HeadcountQuota,
                {"town": towns[code], "post_type": post_type, "effective_on": effective_on},
                approved=approved,
                document=documents[doc_key],
            )
    for code in sources.DAZHOU_TOWNS:
        # Dazhou matches the headcount-control number 1:1 with institutional posts.
        for post_type in ("institutional", "headcount_control"):
            upsert(
                HeadcountQuota,
                {"town": towns[code], "post_type": post_type, "effective_on": D(2019, 6, 1)},
                approved=40,
                document=documents["dazhou_2023"],
                is_generated=True,
            )
    filled = {
        "371581109000": {"administrative": 47, "institutional": 61},
        "371522106000": {"administrative": 46, "institutional": 60},  # 超编 by one
        "532311102000": {"administrative": 36, "leadership": 11, "institutional": 66},
    }
    for code, by_type in filled.items():
        for post_type, count in by_type.items():
            upsert(
                FilledPosts,
                {"town": towns[code], "post_type": post_type, "as_of": D(2025, 12, 31)},
                filled=count,
                is_generated=True,
            )


def load_staffing_rules(towns, documents):
    for code in ("371581109000", "371522106000"):
        upsert(
            StaffingPolicy,
            {"town": towns[code], "effective_on": D(2019, 4, 9)},
            excellent_share_percent=Decimal("20.00"),
            max_secondment_months=6,
            min_service_years_for_secondment=2,
            document=documents["liaocheng_2019"],
        )
    yandian, guyun = towns["371581109000"], towns["371522106000"]
    rows = [  # (town, ref, unit, joined, start, end, agreement)
        (yandian, "YD-2019-014", "临清市发展和改革局", D(2016, 3, 1), D(2025, 3, 1), D(2025, 8, 31), False),
        (yandian, "YD-2024-003", "临清市委办公室", D(2024, 7, 1), D(2025, 5, 1), D(2025, 7, 31), False),
        (guyun, "GY-2020-021", "莘县自然资源局", D(2018, 9, 1), D(2025, 1, 1), D(2025, 12, 31), False),
        (guyun, "GY-2023-007", "聊城市住房和城乡建设局", D(2023, 8, 1), D(2025, 6, 1), D(2025, 9, 30), True),
    ]
    for town, ref, unit, joined, start, end, agreement in rows:
        upsert(
            Secondment,
            {"town": town, "staff_reference": ref, "starts_on": start},
            borrowing_unit=unit,
            joined_town_on=joined,
            ends_on=end,
            under_service_agreement=agreement,
            is_generated=True,
        )


def load_plans(towns, documents):
    plans = [
        ("371581109000", "深化临清市烟店镇行政管理体制改革方案"),
        ("371522106000", "莘县古云镇行政管理体制改革方案"),
    ]
    tasks = [
        ("扩大管理权限,公布放权目录", "市委编办", "市司法局", D(2019, 6, 30), "done", D(2019, 6, 20)),
        ("组建政务服务局,实行一枚印章管审批", "镇政府", "市行政审批服务局", D(2019, 9, 30), "done", D(2019, 9, 25)),
        ("组建综合行政执法局", "镇政府", "市综合行政执法局", D(2019, 12, 31), "done", D(2020, 1, 15)),
        ("建立财政超收激励体制", "市财政局", "镇政府", D(2020, 6, 30), "in_progress", None),
        ("探索设立镇级国库", "市财政局", "人民银行支行", D(2021, 12, 31), "not_started", None),
    ]
    for code, title in plans:
        plan = upsert(
            ReformPlan,
            {"town": towns[code], "title": title},
            document=documents["liaocheng_2019"],
            adopted_on=D(2019, 4, 9),
        )
        for name, lead, coop, deadline, status, done_on in tasks:
            upsert(
                ReformTask,
                {"plan": plan, "title": name},
                lead_unit=lead,
                cooperating_units=coop,
                deadline=deadline,
                status=status,
                completed_on=done_on,
                is_generated=True,
            )


def load_assessment(towns, regions, documents):
    dazhou = upsert(
        AssessmentScheme,
        {"region": regions["511700"], "name": "达州市派驻单位双重考核"},
        subject="dispatched_agency",
        county_weight=Decimal(30),
        town_weight=Decimal(70),
        min_town_weight=Decimal(70),
        valid_from=D(2019, 1, 1),
        document=documents["dazhou_2023"],
    )
    for subject, name, minimum in (
        ("county_department", "济宁市县直部门考核(镇街评价)", 30),
        ("dispatched_agency", "济宁市派驻机构考核(镇街评价)", 60),
    ):
        upsert(
            AssessmentScheme,
            {"region": regions["370800"], "name": name},
            subject=subject,
            county_weight=Decimal(100 - minimum),
            town_weight=Decimal(minimum),
            min_town_weight=Decimal(minimum),
            valid_from=D(2021, 1, 1),
            document=documents["jining_2021"],
        )
    for index, code in enumerate(sources.DAZHOU_TOWNS):
        town = towns[code]
        for year in (2023, 2024):
            upsert(
                AssessmentScore,
                {"scheme": dazhou, "town": town, "year": year, "assessed_unit": f"{town.county.name}市场监管所"},
                county_score=Decimal(80 + index),
                town_score=Decimal(75 + 2 * index),
                is_generated=True,
            )
            # The last town fails twice running: the rule that removes a town from the pilot.
            grade = "fail" if index == len(sources.DAZHOU_TOWNS) - 1 else ("excellent" if index < 2 else "pass")
            upsert(
                TownAnnualAssessment,
                {"town": town, "year": year},
                score=Decimal(55 if grade == "fail" else 90 - index),
                grade=grade,
                rank_in_county=1 if grade != "fail" else 12,
                is_generated=True,
            )


def arrangement(town, kind, title, document, **fields):
    return upsert(FiscalArrangement, {"town": town, "kind": kind, "title": title}, document=document, **fields)


def year(arr, year_, **fields):
    return upsert(FiscalYearRecord, {"arrangement": arr, "year": year_}, **fields)


def load_finance(towns, documents):
    liaocheng = documents["liaocheng_2019"]
    yandian, guyun = towns["371581109000"], towns["371522106000"]
    rebate = arrangement(
        yandian,
        "tax_rebate",
        "财政收入超收县级留成全额返还",
        liaocheng,
        base_rule="fixed_year",
        base_year=2015,
        base_amount=Decimal("82000000.00"),
        share_percent=Decimal(100),
        from_year=2019,
    )
    for y, revenue, paid in ((2023, "95500000.00", "13500000.00"), (2024, "101200000.00", "15000000.00")):
        due = rebate.amount_due(Decimal(revenue))
        year(
            rebate,
            y,
            actual_revenue=Decimal(revenue),
            amount_due=due,
            promised=due,
            paid=Decimal(paid),
            due_on=D(y + 1, 3, 31),
            paid_on=D(y + 1, 3, 20),
            is_generated=True,
        )
    arrangement(yandian, "land_proceeds", "土地出让金净收益优先安排", liaocheng, from_year=2019)
    arrangement(
        guyun,
        "tax_rebate",
        "地方税收比上年超收县级留成全额返还",
        liaocheng,
        base_rule="previous_year",
        share_percent=Decimal(100),
        from_year=2019,
    )
    arrangement(
        guyun, "fee_return", "行政性收费和罚没收入全额补助", liaocheng, share_percent=Decimal(100), from_year=2019
    )
    for code in sources.DAZHOU_TOWNS:
        town = towns[code]
        for kind, title, amount, unit in (
            ("industry_fund", "产业发展资金", "3000000.00", "yuan"),
            ("working_fund", "工作经费", "500000.00", "yuan"),
            ("land_quota", "新增建设用地计划", "100.00", "mu"),
        ):
            arr = arrangement(
                town,
                kind,
                title,
                documents["dazhou_2023"],
                unit=unit,
                promised_per_year=Decimal(amount),
                from_year=2020,
            )
            for y in (2023, 2024):
                year(
                    arr,
                    y,
                    promised=Decimal(amount),
                    paid=Decimal(amount),
                    due_on=D(y, 12, 31),
                    paid_on=D(y, 12, 15),
                    is_generated=True,
                )
    guangtong = towns["532311102000"]
    arrangement(
        guangtong,
        "per_head_grant",
        "事业发展支出人均补助",
        documents["guangtong_2021"],
        promised_per_year=Decimal("20000.00"),
        from_year=2021,
        notes="由1.5万元/人/年提高到2万元/人/年",
    )
    incentive = arrangement(
        guangtong,
        "incentive",
        "五年激励:超过前五年平均收入部分50%返还,另每年300–500万元",
        documents["guangtong_2021"],
        base_rule="rolling_average",
        share_percent=Decimal(50),
        promised_per_year=Decimal("3000000.00"),
        from_year=2017,
        until_year=2021,
        notes="承诺未兑现(文件:“未落实”);承诺额取下限300万元",
    )
    for y in range(2017, 2022):
        year(incentive, y, promised=Decimal("3000000.00"), paid=Decimal(0), due_on=D(y, 12, 31))
    for code in sources.DONGYING_TOWNS:
        for source in ("市级", "县级"):
            arr = arrangement(
                towns[code],
                "fixed_subsidy",
                f"{source}每年500万元扶持资金",
                documents["dongying"],
                promised_per_year=Decimal("5000000.00"),
                from_year=2014,
            )
            year(
                arr,
                2024,
                promised=Decimal("5000000.00"),
                paid=Decimal("5000000.00"),
                due_on=D(2024, 12, 31),
                paid_on=D(2024, 12, 20),
                is_generated=True,
            )
