"""Ledger figures at a month, recomputed from the raw ledger rows for a town or a region.

Deliberately independent of the statistics engine (``stats/``): the documents page compares a
document's figures with these, and the tests compare the statistics with these. Each measure is a
name, optionally with a parameter after a colon (``powers:01`` counts licences, ``cases:01,20`` sums
the cases of licences and public services). A measure returns a ``LedgerFigure``, or None when the
ledger holds no row for it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import at_or_under

from .models import ProgrammeMembership, Region, Town


def month_end(period):
    """The last day of ``period``'s month."""
    following = dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def months_before(period, n):
    index = period.year * 12 + period.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def town_ids(scope):
    """The ids of the towns a figure speaks of: the town itself, or every town at or under a region."""
    if isinstance(scope, Town):
        return [scope.pk]
    return list(Town.objects.filter(at_or_under("county", scope.pk)).values_list("pk", flat=True))


@dataclass(frozen=True)
class LedgerFigure:
    """A figure recomputed from ledger rows; ``generated`` when any of those rows is generated demo data."""

    value: int | Decimal
    generated: bool


def _figure(values_and_flags, total=sum):
    """A LedgerFigure from (value, is_generated) rows, or None when there is no row."""
    rows = list(values_and_flags)
    if not rows:
        return None
    return LedgerFigure(total(v for v, _g in rows), any(g for _v, g in rows))


def _count(rows):
    return _figure((1, g) for g in rows.values_list("is_generated", flat=True))


def pilot_towns(towns, period, _param):
    end = month_end(period)
    current = Q(left_on__isnull=True) | Q(left_on__gt=end)
    members = ProgrammeMembership.objects.filter(current, town__in=towns, joined_on__lte=end)
    return _count(Town.objects.filter(pk__in=members.values("town")))


def _powers(towns, period, types=None):
    from delegation.models import DelegatedPower
    from delegation.selectors import in_force_q

    # The powers in force at the month's end: a power withdrawn by then no longer counts.
    powers = DelegatedPower.objects.filter(in_force_q(month_end(period)), town__in=towns)
    return powers.filter(item__type_code__in=types) if types else powers


def powers_delegated(towns, period, param):
    if not _powers(towns, period).exists():
        return None
    figure = _count(_powers(towns, period, param.split(",") if param else None))
    return figure or LedgerFigure(0, False)


def power_states(towns, period):
    """{state: count}: taken over by the month's end, and with a town case in the 12 months to it."""
    from delegation.models import DelegatedPower, MonthlyCaseCount

    end = month_end(period)
    powers = list(_powers(towns, period).values_list("pk", "take_over_status", "take_over_on"))
    cases = MonthlyCaseCount.objects.filter(
        power__in=[pk for pk, _status, _on in powers],
        handled_by=MonthlyCaseCount.HandledBy.TOWN,
        month__gte=months_before(period, 11),
        month__lte=period,
        accepted__gt=0,
    )
    active = set(cases.values_list("power", flat=True))
    counts = {"running": 0, "unused": 0, "not_taken_over": 0}
    for pk, status, taken_on in powers:
        taken = status == DelegatedPower.TakeOverStatus.TAKEN_OVER and taken_on is not None and taken_on <= end
        counts["not_taken_over" if not taken else "running" if pk in active else "unused"] += 1
    return counts


def power_state(state):
    def measure(towns, period, _param):
        powers = _powers(towns, period)
        if not powers.exists():
            return None
        generated = powers.filter(is_generated=True).exists()
        return LedgerFigure(power_states(towns, period)[state], generated)

    return measure


def organs(towns, _period, kind):
    from staffing.models import Organ

    return _count(Organ.objects.filter(town__in=towns, kind=kind))


def posts(towns, period, param):
    """Approved posts in force at the month's end; ``total`` is administrative + institutional."""
    from staffing.models import HeadcountQuota

    wanted = ["administrative", "institutional"] if param == "total" else [param]
    latest = {}
    rows = HeadcountQuota.objects.filter(town__in=towns, post_type__in=wanted, effective_on__lte=month_end(period))
    for town, post_type, effective_on, approved, generated in rows.values_list(
        "town", "post_type", "effective_on", "approved", "is_generated"
    ):
        key = (town, post_type)
        if key not in latest or latest[key][0] < effective_on:
            latest[key] = (effective_on, (approved, generated))
    return _figure(row for _on, row in latest.values())


def posts_per_town(towns, period, param):
    """Approved posts (as ``posts``) per town that holds any, to one decimal, half up."""
    from staffing.models import HeadcountQuota

    figure = posts(towns, period, param)
    if figure is None:
        return None
    wanted = ["administrative", "institutional"] if param == "total" else [param]
    held = HeadcountQuota.objects.filter(town__in=towns, post_type__in=wanted, effective_on__lte=month_end(period))
    per_town = Decimal(figure.value) / held.values("town").distinct().count()
    return LedgerFigure(per_town.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), figure.generated)


def cases(towns, period, param):
    """Cases the towns accepted in every month up to and including ``period``, for the given types."""
    from delegation.models import MonthlyCaseCount

    rows = MonthlyCaseCount.objects.filter(
        power__town__in=towns,
        power__item__type_code__in=param.split(","),
        handled_by=MonthlyCaseCount.HandledBy.TOWN,
        month__lte=period,
    )
    return _figure(rows.values_list("accepted", "is_generated"))


def fiscal_promised(towns, period, param):
    """Amounts promised for the years up to ``period``'s year, for the given kinds of arrangement."""
    from finance.models import FiscalYearRecord

    rows = FiscalYearRecord.objects.filter(
        arrangement__town__in=towns, arrangement__kind__in=param.split(","), year__lte=period.year
    )
    return _figure(rows.values_list("promised", "is_generated"), total=lambda v: sum(v, Decimal(0)))


def promised_per_year(towns, period, kind):
    """The yearly amount each town is promised by arrangements of ``kind`` in force that year.

    None unless every such arrangement promises the same amount: a document's "per town per year".
    """
    from finance.models import FiscalArrangement

    rows = FiscalArrangement.objects.filter(town__in=towns, kind=kind, from_year__lte=period.year)
    rows = list(rows.exclude(promised_per_year=None).values_list("promised_per_year", "is_generated"))
    amounts = {amount for amount, _g in rows}
    return LedgerFigure(amounts.pop(), any(g for _a, g in rows)) if len(amounts) == 1 else None


def scheme_minimum(region_ids, period, subject):
    """The minimum town weight of the assessment schemes of ``subject`` valid at the month's end."""
    from .models import AssessmentScheme

    rows = AssessmentScheme.objects.filter(region__in=region_ids, subject=subject, valid_from__lte=month_end(period))
    minimums = set(rows.values_list("min_town_weight", flat=True))
    return LedgerFigure(minimums.pop(), False) if len(minimums) == 1 else None


MEASURES = {
    "pilot_towns": (_("试点镇数"), pilot_towns),
    "powers": (_("下放事项数"), powers_delegated),
    "running": (_("正常运行事项数"), power_state("running")),
    "unused": (_("暂未使用事项数"), power_state("unused")),
    "not_taken_over": (_("未承接到位事项数"), power_state("not_taken_over")),
    "organs": (_("机构数"), organs),
    "posts": (_("核定编制数"), posts),
    "posts_per_town": (_("平均每镇核定编制数"), posts_per_town),
    "cases": (_("镇受理件数(累计)"), cases),
    "fiscal_promised": (_("承诺资金(累计)"), fiscal_promised),
    "promised_per_year": (_("每镇每年承诺金额"), promised_per_year),
}
# Measures of a region's own rows rather than its towns': they receive the region's id.
REGION_MEASURES = {"scheme_minimum": (_("镇街评价最低占比"), scheme_minimum)}


def measure_label(measure):
    name, _sep, param = measure.partition(":")
    label = {**MEASURES, **REGION_MEASURES}[name][0]
    return f"{label}({param})" if param else str(label)


def ledger_figure(scope, period, measure):
    """The ledger's figure for ``measure`` over ``scope`` (a Town or a Region) at ``period``'s month.

    None when the measure is blank (the ledger keeps no such figure) or no row holds it.
    """
    if not measure:
        return None
    name, _sep, param = measure.partition(":")
    if name in REGION_MEASURES:
        return REGION_MEASURES[name][1]([scope.pk], period.replace(day=1), param)
    return MEASURES[name][1](town_ids(scope), period.replace(day=1), param)


def power_split(scope: Town | Region, period: dt.date):
    """The three-way split of a town's or region's delegated powers at ``period``, from raw rows."""
    return power_states(town_ids(scope), period.replace(day=1))


def cases_by_town(scope: Town | Region, period: dt.date):
    """{town id: cases accepted by the town in ``period``'s month}, from raw rows."""
    from delegation.models import MonthlyCaseCount

    totals = defaultdict(int)
    rows = MonthlyCaseCount.objects.filter(
        power__town__in=town_ids(scope), month=period.replace(day=1), handled_by=MonthlyCaseCount.HandledBy.TOWN
    )
    for town, accepted in rows.values_list("power__town", "accepted"):
        totals[town] += accepted
    return dict(totals)
