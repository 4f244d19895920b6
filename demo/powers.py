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


def case_rows(power, months, handled_by, rng, total=None):
    """Generated monthly counts for ``months``; with ``total``, they add up to it exactly."""
    counts = [rng.randint(1, 40) for _ in months]
    if total is not None:
        scale = total / sum(counts)
        counts = [int(c * scale) for c in counts]
        counts[-1] += total - sum(counts)
    return [
        MonthlyCaseCount(
            power=power,
            month=month,
            handled_by=handled_by,
            accepted=n,
            closed=n - rng.randint(0, min(n, 2)),
            is_generated=True,
        )
        for month, n in zip(months, counts, strict=True)
    ]


def save_case_rows(rows):
    MonthlyCaseCount.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["power", "month", "handled_by"],
        update_fields=["accepted", "closed", "is_generated"],
        batch_size=2000,
    )


def split_powers(powers, not_taken_over, running, *, rng, this_month):
    """Assign the Dongying-style three-way split: not taken over, running, unused."""
    recent = [months_back(this_month, n) for n in range(12, 0, -1)]
    older = [months_back(this_month, n) for n in range(24, 12, -1)]
    rows = []
    for index, power in enumerate(powers):
        taken_on = power.delegated_on + dt.timedelta(days=30)
        if index < not_taken_over:
            set_take_over(power, DelegatedPower.TakeOverStatus.NOT_TAKEN_OVER, reason=NOT_TAKEN_OVER_REASONS[index % 3])
            continue
        set_take_over(power, DelegatedPower.TakeOverStatus.TAKEN_OVER, on=taken_on)
        if index < not_taken_over + running:
            rows += case_rows(power, rng.sample(recent, rng.randint(3, 12)), "town", rng)
        elif index % 7 == 0:
            # Unused by the town, yet the county department still handles cases: 明放暗不放.
            rows += case_rows(power, recent[-6:], "county_department", rng)
        elif index % 5 == 0:
            rows += case_rows(power, older[:4], "town", rng)  # used once, not for a year now
    save_case_rows(rows)


def load_catalogues(towns, documents, this_month):
    """Catalogues and delegated powers of every demo town, with the documents' exact totals."""
    for code, (title, doc_key, issued_on, type_counts) in sources.CATALOGUES.items():
        town = towns[code]
        rng = random.Random(code)
        catalogue = catalogue_for(town, title, documents[doc_key], issued_on, type_counts)
        powers = power_rows(town, catalogue, type_counts, rng)
        if code == "532311102000":
            load_guangtong_cases(powers, rng)
        else:
            n = len(powers)
            split_powers(powers, n // 8, n * 5 // 8, rng=rng, this_month=this_month)
    load_dazhou(towns, documents["dazhou_2023"], this_month)
    load_dongying(towns, documents["dongying"], this_month)


def load_guangtong_cases(powers, rng):
    """12,014 cases in the approval bureau's 104 powers and 30 penalty cases, during 2021."""
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
    save_case_rows(rows)


def distribute(total, parts):
    """``total`` split into ``parts`` whole numbers that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


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
        split_powers(powers, n // 6, n // 2, rng=rng, this_month=this_month)


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
        split_powers(powers, not_taken, running, rng=rng, this_month=this_month)


def distribute_weighted(total, weights):
    weights = list(weights)
    shares = [total * w // sum(weights) for w in weights]
    shares[0] += total - sum(shares)
    return shares
