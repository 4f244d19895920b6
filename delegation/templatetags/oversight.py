"""The supervision section of the region and town dashboards: towns' grades across inspection rounds."""

import datetime as dt

from django import template
from django.db.models import Q
from django.utils import timezone

from core.scoping import at_or_under, visible

from ..models import Finding, InspectionScore
from ..selectors import grades_across_rounds

register = template.Library()

# A province holds thousands of towns: the page lists the first ones by code and says so.
MAX_TOWNS = 300


def _month_end(period):
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@register.inclusion_tag("delegation/_oversight.html", takes_context=True)
def oversight_section(context, scope, period):
    """The rounds held by the period's end: towns × rounds with score, grade and change for a region;
    for a town its grades over the rounds and its open rectifications (overdue as of today)."""
    user, today = context["request"].user, timezone.localdate()
    is_town = type(scope.obj).__name__ == "Town"
    scores = visible(user, InspectionScore).filter(power__isnull=True, inspection__held_on__lte=_month_end(period))
    where = Q(town=scope.obj) if is_town else at_or_under("town__county", scope.obj.pk)
    scores = scores.filter(where)
    open_findings = visible(user, Finding).filter(where, status=Finding.Status.OPEN)
    # One query: a province's scores are its towns × a few rounds, cut here to the first towns.
    scores = list(scores.select_related("inspection", "town").order_by("town__code"))
    towns = list(dict.fromkeys(s.town_id for s in scores))
    truncated = len(towns) > MAX_TOWNS
    shown = set(towns[:MAX_TOWNS])
    rounds, rows = grades_across_rounds([s for s in scores if s.town_id in shown], open_findings, today)
    findings = list(open_findings.select_related("inspection").order_by("deadline", "pk")) if is_town else []
    return {
        "scope": scope,
        "is_town": is_town,
        "rounds": rounds,
        "rows": rows,
        "town_rounds": list(zip(rounds, rows[0].cells, strict=True)) if is_town and rows else [],
        "findings": findings,
        "today": today,
        "truncated": truncated,
        "max_towns": MAX_TOWNS,
    }
