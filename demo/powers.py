"""Generated catalogue items and case counts that add up to the documents' totals."""

import datetime as dt
import random

from delegation import demo_lifecycle
from delegation.models import (
    TYPE_COUNT_FIELDS,
    DelegatedPower,
    DelegationCatalogue,
    Department,
    MonthlyCaseCount,
    PowerItem,
    PowerType,
)

from . import sources
from .shares import distribute
from .upsert import upsert

# County departments that typically delegate each type of power.
DEPARTMENTS_BY_TYPE = {
    "01": ["行政审批服务局", "自然资源局", "住房和城乡建设局", "交通运输局"],
    "02": ["综合行政执法局", "市场监督管理局", "生态环境分局", "应急管理局"],
    "03": ["市场监督管理局", "生态环境分局"],
    "05": ["民政局", "人力资源和社会保障局"],
    "06": ["应急管理局", "交通运输局"],
    "07": ["民政局", "自然资源局"],
    "10": ["交通运输局", "水务局"],
    "20": ["行政审批服务局", "人力资源和社会保障局", "医疗保障局"],
}
MODES = [DelegatedPower.Mode.DIRECT] * 6 + [DelegatedPower.Mode.ENTRUSTED] * 3 + [DelegatedPower.Mode.SERVICE_FORWARD]
NOT_TAKEN_OVER_REASONS = ["缺少具备资质的专业人员", "派驻机构管理机制不完善", "配套设备未到位"]


def months_back(month, n):
    """The first day of the month ``n`` months before ``month``."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def catalogue_for(town, title, document, issued_on, type_counts):
    counts = {TYPE_COUNT_FIELDS[PowerType(code)]: n for code, n in type_counts.items()}
    return upsert(
        DelegationCatalogue,
        {"county": town.county, "town": town, "edition": 1},
        title=title,
        document=document,
        issued_on=issued_on,
        declared_total=sum(type_counts.values()),
        is_generated=False,
        **{field: counts.get(field, 0) for field in TYPE_COUNT_FIELDS.values()},
    )


def power_rows(town, catalogue, type_counts, rng):
    """One generated item and delegated power per declared count, numbered per type."""
    powers = []
    for code, count in sorted(type_counts.items()):
        label = PowerType(code).label
        names = DEPARTMENTS_BY_TYPE.get(code, ["行政审批服务局"])
        for n in range(1, count + 1):
            department = upsert(Department, {"county": town.county, "name": names[n % len(names)]})
            item = upsert(
                PowerItem,
                {"implementation_code": f"{town.code}{code}{n:04d}"},
                name=f"{town.name}{label}事项第{n}项",
                type_code=code,
                local_code=f"{code}-{n:03d}",
                source_department=department,
                source="2",
                legal_basis="",
                is_generated=True,
            )
            powers.append(
                upsert(
                    DelegatedPower,
                    {"town": town, "item": item},
                    catalogue=catalogue,
                    mode=rng.choice(MODES),
                    delegated_on=catalogue.issued_on,
                    is_generated=True,
                )
            )
    return powers


def set_take_over(power, status, on=None, reason=""):
    taken = status == DelegatedPower.TakeOverStatus.TAKEN_OVER
    return upsert(
        DelegatedPower,
        {"pk": power.pk},
        take_over_status=status,
        take_over_on=on,
        receiving_organ=demo_lifecycle.receiving_organ(power.town, power.item.type_code) if taken else None,
        **demo_lifecycle.not_taken_over_fields(reason) if reason else {},
    )


def month_range(first, last):
    """Every month's first day from ``first`` to ``last``, both included."""
    months = []
    while first <= last:
        months.append(first)
        first = months_back(first, -1)
    return months


def case_row(power, month, handled_by, accepted=None):
    """One generated monthly count; its numbers depend on the power and the month only, never on today."""
    rng = random.Random(f"{power.item_id}-{month:%Y%m}-{handled_by}")
    n = rng.randint(1, 40) if accepted is None else accepted
    closed = n - rng.randint(0, min(n, 2))
    return MonthlyCaseCount(
        power=power, month=month, handled_by=handled_by, accepted=n, closed=closed, is_generated=True
    )


def case_rows(power, months, handled_by, rng, total=None):
    """Generated monthly counts for ``months``; with ``total``, they add up to it exactly."""
    counts = [rng.randint(1, 40) for _ in months]
    if total is not None:
        scale = total / sum(counts)
        counts = [int(c * scale) for c in counts]
        counts[-1] += total - sum(counts)
    return [case_row(power, month, handled_by, n) for month, n in zip(months, counts, strict=True)]


def living_rows(power, first, this_month, state):
    """The cases of a taken-over power from ``first`` up to the month before ``this_month``.

    A running power has town cases every third month, so every 12-month window holds some; an unused one
    either has the county department still handling its cases every month (明放暗不放), or town cases in
    its first four months only, or none. The month in progress has no counts yet.
    """
    months = month_range(first, months_back(this_month, 1))
    if state == "running":
        return [case_row(power, m, "town") for m in months[::3]]
    if state == "unused_county":
        return [case_row(power, m, "county_department") for m in months]
    if state == "unused_once":
        return [case_row(power, m, "town") for m in months[:4]]
    return []


def save_case_rows(rows, powers):
    """Write ``rows`` and drop the generated counts of ``powers`` they no longer hold (an earlier demo's)."""
    MonthlyCaseCount.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["power", "month", "handled_by"],
        update_fields=["accepted", "closed", "is_generated"],
        batch_size=2000,
    )
    kept = {(row.power_id, row.month, row.handled_by) for row in rows}
    held = MonthlyCaseCount.objects.filter(power__in=powers, is_generated=True)
    stale = [pk for pk, *key in held.values_list("pk", "power", "month", "handled_by") if tuple(key) not in kept]
    MonthlyCaseCount.objects.filter(pk__in=stale).delete()


def split_powers(powers, not_taken_over, running, *, this_month):
    """Assign the Dongying-style three-way split: not taken over, running, unused.

    The split holds at every month from a year after take-over to today, so a document's split is found at
    its period whatever day the demo is loaded, and the present continues it.
    """
    rows = []
    for index, power in enumerate(powers):
        taken_on = power.delegated_on + dt.timedelta(days=30)
        if index < not_taken_over:
            set_take_over(power, DelegatedPower.TakeOverStatus.NOT_TAKEN_OVER, reason=NOT_TAKEN_OVER_REASONS[index % 3])
            continue
        set_take_over(power, DelegatedPower.TakeOverStatus.TAKEN_OVER, on=taken_on)
        state = "running" if index < not_taken_over + running else "unused"
        if state == "unused":
            state = "unused_county" if index % 7 == 0 else "unused_once" if index % 5 == 0 else state
        rows += living_rows(power, months_back(taken_on.replace(day=1), -1), this_month, state)
    save_case_rows(rows, powers)


def load_catalogues(towns, documents, this_month):
    """Catalogues and delegated powers of every demo town, with the documents' exact totals."""
    for code, (title, doc_key, issued_on, type_counts) in sources.CATALOGUES.items():
        town = towns[code]
        rng = random.Random(code)
        catalogue = catalogue_for(town, title, documents[doc_key], issued_on, type_counts)
        powers = power_rows(town, catalogue, type_counts, rng)
        if code == "532311102000":
            load_guangtong_cases(powers, rng, this_month)
        else:
            n = len(powers)
            split_powers(powers, n // 8, n * 5 // 8, this_month=this_month)
    load_dazhou(towns, documents["dazhou_2023"], this_month)
    load_dongying(towns, documents["dongying"], this_month)


def load_guangtong_cases(powers, rng, this_month):
    """12,014 cases in the approval bureau's 104 powers and 30 penalty cases during 2021, then the living
    ledger: the powers that handled cases in 2021 keep running from 2022 on."""
    months = [dt.date(2021, m, 1) for m in range(1, 12)]
    approval = [p for p in powers if p.item.type_code in ("01", "20")]
    penalty = [p for p in powers if p.item.type_code == "02"]
    rows = []
    for group, total in ((approval, 12014), (penalty, 30)):
        shares = distribute(total, len(group))
        for power, share in zip(group, shares, strict=True):
            set_take_over(power, DelegatedPower.TakeOverStatus.TAKEN_OVER, on=dt.date(2020, 3, 1))
            if share:
                rows += case_rows(power, months[: max(1, min(11, share))], "town", rng, total=share)
                rows += living_rows(power, dt.date(2022, 1, 1), this_month, "running")
    save_case_rows(rows, powers)


def load_dazhou(towns, document, this_month):
    """Dazhou's 11 + 132 + 21 powers spread over its seven towns, type by type."""
    codes = sources.DAZHOU_TOWNS
    per_town = {code: {} for code in codes}
    for type_code, total in sources.DAZHOU_TYPE_TOTALS.items():
        for code, share in zip(codes, distribute(total, len(codes)), strict=True):
            if share:
                per_town[code][type_code] = share
    for code in codes:
        town, rng = towns[code], random.Random(code)
        catalogue = catalogue_for(
            town, f"{town.county.name}向{town.name}赋权清单", document, dt.date(2019, 6, 1), per_town[code]
        )
        powers = power_rows(town, catalogue, per_town[code], rng)
        n = len(powers)
        split_powers(powers, n // 6, n // 2, this_month=this_month)


def load_dongying(towns, document, this_month):
    """401 powers in six towns: 67 not taken over, 179 running, 155 unused."""
    for code, (total, not_taken, running) in zip(sources.DONGYING_TOWNS, sources.DONGYING_SPLIT, strict=True):
        town, rng = towns[code], random.Random(code)
        weights = sources.DONGYING_TYPE_WEIGHTS
        type_counts = dict(zip(weights, distribute_weighted(total, weights.values()), strict=True))
        catalogue = catalogue_for(
            town, f"{town.county.name}向{town.name}下放管理权限目录", document, dt.date(2014, 1, 1), type_counts
        )
        powers = power_rows(town, catalogue, type_counts, rng)
        rng.shuffle(powers)
        split_powers(powers, not_taken, running, this_month=this_month)


def distribute_weighted(total, weights):
    weights = list(weights)
    shares = [total * w // sum(weights) for w in weights]
    shares[0] += total - sum(shares)
    return shares
