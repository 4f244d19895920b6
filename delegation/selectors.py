"""Read paths for delegated powers, including their derived state (running / unused / not taken over)."""

import datetime as dt

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DelegatedPower, MonthlyCaseCount


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
    conditions = derived_state_conditions(
        Q(take_over_status=DelegatedPower.TakeOverStatus.TAKEN_OVER), Q(Exists(town_cases))
    )
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
    """{state: count} over ``queryset``."""
    rows = with_derived_state(queryset, as_of).values("derived_state").annotate(n=Count("pk"))
    counts = dict.fromkeys(DerivedState.LABELS, 0)
    counts.update({row["derived_state"]: row["n"] for row in rows})
    return counts
