"""Read paths for delegated powers, including their derived state (running / unused / not taken over)."""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.sql import Condition

from .models import DelegatedPower, DelegationCatalogue, MonthlyCaseCount


class DerivedState:
    """The three-way split of DOMAIN.md: a power runs, goes unused, or was not taken over."""

    RUNNING = "running"
    UNUSED = "unused"
    NOT_TAKEN_OVER = "not_taken_over"
    LABELS = {RUNNING: _("正常运行"), UNUSED: _("暂未使用"), NOT_TAKEN_OVER: _("未承接到位")}


def activity_window(as_of=None):
    """First and last month of the 12 months ending with ``as_of``'s month."""
    as_of = as_of or timezone.localdate()
    last = as_of.replace(day=1)
    index = last.year * 12 + last.month - 1 - 11
    return dt.date(index // 12, index % 12 + 1, 1), last


def in_force_conditions(delegated_by, withdrawn_by):
    """The condition "in force at a date", from two conditions on a power.

    ``delegated_by``: delegated on or before the date; ``withdrawn_by``: withdrawn on or before it (false
    when never withdrawn). A power is in force from its delegation until the day of its withdrawal. The
    one statement of the rule: ``in_force_q`` passes ``Q`` objects, the statistics ``core.sql.Condition``
    fragments (``in_force_sql``), so a figure at a period counts the powers the lists show in force then.
    """
    return delegated_by & ~withdrawn_by


def in_force_q(on):
    """``Q`` of the powers in force on the date ``on``."""
    return in_force_conditions(Q(delegated_on__lte=on), Q(withdrawn_on__lte=on))


def in_force_sql(on, alias="p"):
    """``core.sql.Condition`` of the powers (table alias ``alias``) in force on the date ``on``."""
    return in_force_conditions(
        Condition(f"{alias}.delegated_on <= %s", [on]),
        # Never withdrawn is "not withdrawn by then": NULL must read as false before it is negated.
        Condition(f"COALESCE({alias}.withdrawn_on <= %s, FALSE)", [on]),
    )


def taken_over_q(on):
    """``Q`` of the powers taken over by the date ``on``. A take-over recorded with a later date is
    planned, not done: until that day the power counts as not taken over, as in the figures."""
    return Q(take_over_status=DelegatedPower.TakeOverStatus.TAKEN_OVER, take_over_on__lte=on)


def taken_over_sql(on, alias="p"):
    """``core.sql.Condition`` of ``taken_over_q`` for the powers of table alias ``alias``."""
    return Condition(
        f"{alias}.take_over_status = %s AND {alias}.take_over_on <= %s",
        [DelegatedPower.TakeOverStatus.TAKEN_OVER, on],
    )


def derived_state_conditions(taken_over, town_case):
    """{state: condition} of the three-way split, from two conditions on a power.

    ``taken_over``: the power was taken over; ``town_case``: the town accepted a case in the activity
    window. Anything not taken over (including pending) counts as not taken over. The one statement of
    the rule: ``with_derived_state`` passes ``Q`` objects and expressions, the statistics pass
    ``core.sql.Condition`` fragments of their SQL, so the lists and the figures cannot drift apart.
    """
    return {
        DerivedState.NOT_TAKEN_OVER: ~taken_over,
        DerivedState.RUNNING: taken_over & town_case,
        DerivedState.UNUSED: taken_over & ~town_case,
    }


def with_derived_state(queryset, as_of=None):
    """Annotate ``derived_state`` (``derived_state_conditions``) as of ``as_of``'s activity window."""
    first, last = activity_window(as_of)
    town_cases = MonthlyCaseCount.objects.filter(
        power=OuterRef("pk"),
        handled_by=MonthlyCaseCount.HandledBy.TOWN,
        month__gte=first,
        month__lte=last,
        accepted__gt=0,
    )
    conditions = derived_state_conditions(taken_over_q(as_of or timezone.localdate()), Q(Exists(town_cases)))
    # The states are exclusive; the last needs no test of its own.
    return queryset.annotate(
        derived_state=Case(
            When(conditions[DerivedState.NOT_TAKEN_OVER], then=Value(DerivedState.NOT_TAKEN_OVER)),
            When(conditions[DerivedState.RUNNING], then=Value(DerivedState.RUNNING)),
            default=Value(DerivedState.UNUSED),
            output_field=CharField(),
        )
    )


def derived_state_counts(queryset, as_of=None):
    """{state: count} over the powers of ``queryset`` in force on ``as_of`` (today), as the figures count."""
    in_force = queryset.filter(in_force_q(as_of or timezone.localdate()))
    rows = with_derived_state(in_force, as_of).values("derived_state").annotate(n=Count("pk"))
    counts = dict.fromkeys(DerivedState.LABELS, 0)
    counts.update({row["derived_state"]: row["n"] for row in rows})
    return counts


# ---------------------------------------------------------------- catalogue editions


@dataclass
class EditionDiff:
    """What a later edition of a town's catalogue changed: powers added, withdrawn, and (old, new) changed."""

    added: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    changed: list = field(default_factory=list)


def _edition_key(catalogue):
    return (catalogue.issued_on, catalogue.edition, catalogue.pk)


def town_editions(town):
    """The editions of catalogues that apply to ``town`` (its own and its county's), oldest first."""
    catalogues = DelegationCatalogue.objects.filter(county_id=town.county_id).filter(
        Q(town=town) | Q(town__isnull=True)
    )
    return sorted(catalogues.select_related("document"), key=_edition_key)


def edition_contents(catalogue, town, powers=None):
    """{item id: power} of ``town`` as listed once ``catalogue`` was issued.

    A power is listed by its own edition and every later one, until an edition (or a withdrawal dated
    on or before this edition's issue) takes it back.
    """
    key = _edition_key(catalogue)
    if powers is None:
        powers = town_powers_for_editions(town)
    contents = {}
    for power in powers:
        if _edition_key(power.catalogue) > key:
            continue
        if power.withdrawn_in_id is not None and _edition_key(power.withdrawn_in) <= key:
            continue
        if power.withdrawn_in_id is None and power.withdrawn_on and power.withdrawn_on <= catalogue.issued_on:
            continue
        contents[power.item_id] = power
    return contents


def town_powers_for_editions(town):
    """Every power the town has held, with what the edition pages show of it, in listing order."""
    return list(
        DelegatedPower.objects.filter(town=town)
        .select_related("catalogue", "withdrawn_in", "withdrawal_document", "item__source_department")
        .order_by("delegated_on", "pk")
    )


def edition_diff(older, newer, town):
    """``EditionDiff`` from the edition ``older`` to ``newer`` for ``town``, by item name."""
    powers = town_powers_for_editions(town)
    before, after = edition_contents(older, town, powers), edition_contents(newer, town, powers)
    return contents_diff(before, after)


def contents_diff(before, after):
    """``EditionDiff`` of two {item id: power} listings."""

    def by_name(powers):
        return sorted(powers, key=lambda p: p.item.name)

    return EditionDiff(
        added=by_name(p for item, p in after.items() if item not in before),
        withdrawn=by_name(p for item, p in before.items() if item not in after),
        changed=sorted(
            ((before[item], p) for item, p in after.items() if item in before and before[item].mode != p.mode),
            key=lambda pair: pair[1].item.name,
        ),
    )


# ---------------------------------------------------------------- training


def year_before(on):
    """The same day a year earlier (28 February for 29 February)."""
    return on.replace(year=on.year - 1, day=min(on.day, 28) if on.month == 2 else on.day)


def untrained_q(as_of):
    """``Q`` of the powers in force and not taken over on ``as_of`` that no training covered in the 12
    months up to it: the ones the documents say fail for want of trained staff."""
    from .models import TrainingCoverage

    recent = TrainingCoverage.objects.filter(
        power=OuterRef("pk"), training__held_on__gt=year_before(as_of), training__held_on__lte=as_of
    )
    return in_force_q(as_of) & ~taken_over_q(as_of) & ~Q(Exists(recent))


def untrained_long_q(as_of):
    """``untrained_q`` narrowed to the powers delegated 12 months or more before ``as_of`` (the alert's)."""
    return untrained_q(as_of) & Q(delegated_on__lte=year_before(as_of))


# ---------------------------------------------------------------- delegated on paper only (明放暗不放)


def paper_only_months(power):
    """[(month, department's accepted, department's closed)] of the months, while ``power`` was in force,
    in which the county department recorded cases for it and the town recorded none; oldest first."""
    by = MonthlyCaseCount.HandledBy
    town_months = MonthlyCaseCount.objects.filter(
        power=power, handled_by=by.TOWN, month=OuterRef("month"), accepted__gt=0
    )
    months = MonthlyCaseCount.objects.filter(power=power, handled_by=by.COUNTY_DEPARTMENT, accepted__gt=0)
    months = months.filter(month__gte=power.delegated_on.replace(day=1)).exclude(Exists(town_months))
    if power.withdrawn_on:
        months = months.filter(month__lt=power.withdrawn_on)
    return list(months.order_by("month").values_list("month", "accepted", "closed"))


# ---------------------------------------------------------------- supervision across rounds


@dataclass
class RoundCell:
    """A town's town-wide score in one round (None: not scored), and its change from the town's
    previous scored round (None for its first)."""

    score: object
    change: object = None


@dataclass
class TownOversight:
    """One town's grades across the rounds, and its rectifications still open (and of those, overdue)."""

    town: object
    cells: list
    open_findings: int = 0
    overdue_findings: int = 0


def grades_across_rounds(scores, open_findings, as_of):
    """(rounds oldest first, ``TownOversight`` rows by town code) of the town-wide ``InspectionScore``
    rows ``scores`` (with their round and town), with the counts of ``open_findings`` (a queryset of
    the open findings the reader may see): one query, whether any town was scored or none."""
    scores = list(scores)
    rounds = sorted({s.inspection for s in scores}, key=lambda r: (r.held_on, r.pk))
    by_town: dict = {}
    for score in scores:
        by_town.setdefault(score.town, {})[score.inspection_id] = score
    findings = {
        town: (n_open, n_overdue)
        for town, n_open, n_overdue in open_findings.values_list("town")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=as_of)))
        .order_by()
    }
    rows = []
    for town, scored in sorted(by_town.items(), key=lambda pair: pair[0].code):
        cells, previous = [], None
        for inspection in rounds:
            score = scored.get(inspection.pk)
            change = score.score - previous.score if score is not None and previous is not None else None
            cells.append(RoundCell(score, change))
            previous = score or previous
        n_open, n_overdue = findings.get(town.pk, (0, 0))
        rows.append(TownOversight(town, cells, n_open, n_overdue))
    return rounds, rows


def powers_of_year(powers, year):
    """``powers`` in force on some day of ``year``: delegated by its end and not withdrawn by its start."""
    return powers.filter(
        in_force_conditions(Q(delegated_on__lte=dt.date(year, 12, 31)), Q(withdrawn_on__lte=dt.date(year, 1, 1)))
    )


def months_in_force(power, year):
    """The months (1–12) of ``year`` on some day of which ``power`` was in force."""
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        if power.delegated_on <= last and (power.withdrawn_on is None or power.withdrawn_on > first):
            months.append(month)
    return months


def case_counts_of_year(powers, year, handled_by=MonthlyCaseCount.HandledBy.TOWN):
    """{(power id, month 1–12): its version and counts} of ``powers`` in ``year``, in one query."""
    rows = MonthlyCaseCount.objects.filter(
        power__in=[p.pk for p in powers],
        handled_by=handled_by,
        month__gte=dt.date(year, 1, 1),
        month__lte=dt.date(year, 12, 1),
    ).values_list("power_id", "month", "version", "accepted", "closed")
    # Plain values, not models: a year of 300 powers is 3,600 rows, read to be shown, never saved from here.
    return {
        (power, month.month): SimpleNamespace(version=version, accepted=accepted, closed=closed)
        for power, month, version, accepted, closed in rows
    }
