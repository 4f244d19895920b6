"""Load the demo ledger: regions, towns and every strand, plus one login per role and region."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import User
from delegation import demo_lifecycle
from reforms.models import (
    PilotProgramme,
    ProgrammeMembership,
    Region,
    ReportedFigure,
    SourceDocument,
    Town,
)
from territory.demo import load_territory

from . import jining, powers, sources, strands
from .upsert import upsert

# A well-known password for the demo logins only; load_demo refuses to run in production.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    region: str


# (username, role, region code, service account?)
DEMO_USERS = [
    ("admin", User.Role.SYSTEM_ADMIN, None, False),
    ("linqing_editor", User.Role.COUNTY_EDITOR, "371581", False),
    ("shenxian_editor", User.Role.COUNTY_EDITOR, "371522", False),
    ("guangrao_editor", User.Role.COUNTY_EDITOR, "370523", False),
    ("lufeng_editor", User.Role.COUNTY_EDITOR, "532311", False),
    ("liaocheng_reviewer", User.Role.REVIEWER, "371500", False),
    ("dongying_reviewer", User.Role.REVIEWER, "370500", False),
    ("shandong_reviewer", User.Role.REVIEWER, "370000", False),
    ("sichuan_reviewer", User.Role.REVIEWER, "510000", False),
    ("yunnan_reviewer", User.Role.REVIEWER, "530000", False),
    ("linqing_platform", User.Role.COUNTY_EDITOR, "371581", True),
]


@transaction.atomic
def load_demo(*, today=None):
    """Write the demo data; running it again leaves every row as it was. Returns the logins."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    regions = load_regions()
    documents = {key: load_document(key, fields, regions) for key, fields in sources.DOCUMENTS.items()}
    towns = {
        code: upsert(Town, {"code": code}, name=name, county=regions[county], category=category, is_generated=generated)
        for code, name, county, category, generated in sources.TOWNS
    }
    load_reported_figures(documents, regions, towns)
    load_programmes(towns, regions, documents)
    strands.load_organs(towns, documents)
    strands.load_headcount(towns, documents)
    strands.load_staffing_rules(towns, documents)
    strands.load_plans(towns, documents)
    strands.load_assessment(towns, regions, documents)
    strands.load_finance(towns, documents)
    powers.load_catalogues(towns, documents, this_month)
    jining.load_jining(towns, regions, documents)
    demo_lifecycle.load_lifecycle(towns, today)
    return load_users(regions) + load_territory(today=today)


def load_reported_figures(documents, regions, towns):
    for doc_key, region, town, label, value, unit, lower, measure in sources.REPORTED_FIGURES:
        upsert(
            ReportedFigure,
            {"document": documents[doc_key], "region": regions[region], "label": label},
            town=towns.get(town),
            value=Decimal(value),
            unit=unit,
            is_lower_bound=lower,
            measure=measure,
        )


def load_regions():
    regions = {}
    for code, name, level, parent in sources.REGIONS:
        regions[code] = upsert(Region, {"code": code}, name=name, level=level, parent=regions.get(parent))
    return regions


def load_document(key, fields, regions):
    fields = dict(fields, region=regions[fields["region"]])
    return upsert(SourceDocument, {"title": fields.pop("title")}, **fields)


def load_programmes(towns, regions, documents):
    programmes = [
        (
            "山东省经济发达镇行政管理体制改革(聊城)",
            "370000",
            "lu2018_33",
            dt.date(2019, 4, 9),
            ["371581109000", "371522106000"],
        ),
        ("东营市试点强镇扩权改革", "370500", "dongying", dt.date(2014, 1, 1), sources.DONGYING_TOWNS),
        ("达州市经济发达镇行政管理体制改革试点", "511700", "dazhou_2023", dt.date(2019, 1, 1), sources.DAZHOU_TOWNS),
        ("云南省经济发达镇行政管理体制改革(广通镇)", "530000", "guangtong_2021", dt.date(2020, 1, 1), ["532311102000"]),
    ]
    for name, region, doc_key, started_on, codes in programmes:
        programme = upsert(
            PilotProgramme, {"name": name}, region=regions[region], document=documents[doc_key], started_on=started_on
        )
        for code in codes:
            upsert(ProgrammeMembership, {"programme": programme, "town": towns[code]}, joined_on=started_on)


def load_users(regions):
    logins = []
    for username, role, region_code, service in DEMO_USERS:
        region = regions.get(region_code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.role, user.region, user.is_service_account = role, region, service
        user.is_staff = user.is_superuser = role == User.Role.SYSTEM_ADMIN
        user.save()
        logins.append(DemoLogin(username, user.get_role_display(), region.name if region else "—"))
    return logins
