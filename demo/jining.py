"""Jining's pilot towns, generated: the document reports 3,291 posts moved down to its towns, 21 a town.

The document names no town and gives no split by post type. The demo generates 157 towns across the
city's eleven counties (3,291 ÷ 21 ≈ 157), each marked generated, whose moved-down posts add up to
exactly 3,291 (151 towns with 21, 6 with 20) and are held as institutional posts; the towns grade
their county departments and dispatched agencies under the city's ≥30% / ≥60% schemes.
"""

import datetime as dt
from decimal import Decimal

from reforms.models import AssessmentScheme, AssessmentScore, PilotProgramme, ProgrammeMembership
from staffing.models import HeadcountQuota

from .shares import distribute
from .upsert import upsert

COUNTIES = [
    ("370811", "任城区"),
    ("370812", "兖州区"),
    ("370826", "微山县"),
    ("370827", "鱼台县"),
    ("370828", "金乡县"),
    ("370829", "嘉祥县"),
    ("370830", "汶上县"),
    ("370831", "泗水县"),
    ("370832", "梁山县"),
    ("370881", "曲阜市"),
    ("370883", "邹城市"),
]
TOWN_COUNT = 157
POSTS_MOVED_DOWN = 3291
MOVED_ON = dt.date(2021, 6, 1)
REGIONS = [(code, name, "county", "370800") for code, name in COUNTIES]
# Two towns go by their own names: the call-and-respond demo (territory.demo) raises calls from them.
NAMED_TOWNS = {"370883106000": "大束镇", "370832104000": "寿张集镇"}


def towns():
    """(code, name, county code, category, generated) of the generated towns, as sources.TOWNS lists them."""
    rows = []
    for (county, name), count in zip(COUNTIES, distribute(TOWN_COUNT, len(COUNTIES)), strict=True):
        for n in range(1, count + 1):
            code = f"{county}{100 + n}000"
            rows.append((code, NAMED_TOWNS.get(code, f"{name}第{n}试点镇"), county, "other", True))
    return rows


def load_jining(all_towns, regions, documents):
    document = documents["jining_2021"]
    codes = [row[0] for row in towns()]
    programme = upsert(
        PilotProgramme,
        {"name": "济宁市镇街赋权增能改革"},
        region=regions["370800"],
        document=document,
        started_on=dt.date(2021, 1, 1),
    )
    schemes = AssessmentScheme.objects.filter(region=regions["370800"]).order_by("subject")
    for index, (code, posts) in enumerate(zip(codes, distribute(POSTS_MOVED_DOWN, len(codes)), strict=True)):
        town = all_towns[code]
        upsert(ProgrammeMembership, {"programme": programme, "town": town}, joined_on=programme.started_on)
        upsert(
            HeadcountQuota,
            {"town": town, "post_type": "institutional", "effective_on": MOVED_ON},
            approved=posts,
            document=document,
            is_generated=True,
        )
        load_scores(town, schemes, index)


def load_scores(town, schemes, index):
    """One graded unit per scheme and town for 2021, under the scheme's own weights."""
    units = {"county_department": "住房和城乡建设局", "dispatched_agency": "市场监管所"}
    for scheme in schemes:
        upsert(
            AssessmentScore,
            {
                "scheme": scheme,
                "town": town,
                "year": 2021,
                "assessed_unit": f"{town.county.name}{units[scheme.subject]}",
            },
            county_score=Decimal(80 + index % 15),
            town_score=Decimal(75 + index % 20),
            is_generated=True,
        )
