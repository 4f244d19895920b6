"""Read paths of the statistics: scoped querysets and the rates derived from the stored sums."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Sum

from core.scoping import visible

from .figures import POWER_MEASURES
from .models import Alert, Figure, PowerFigure, RecomputeRun


def power_figure_list(*, user):
    return visible(user, PowerFigure)


def figure_list(*, user):
    return visible(user, Figure)


def alert_list(*, user):
    return visible(user, Alert).select_related("town", "region", "subject_type")


def recompute_run_list(*, user):
    return RecomputeRun.objects.all() if user.is_system_admin else RecomputeRun.objects.none()


def latest_period(queryset=None):
    queryset = PowerFigure.objects.all() if queryset is None else queryset
    return queryset.aggregate(p=Max("period"))["p"]


def _share(part, whole):
    """Percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def power_totals(queryset):
    """Sums over power rows (e.g. one scope and period, all types and modes) plus the section-5 rates."""
    totals = {m: total or 0 for m, total in queryset.aggregate(**{m: Sum(m) for m in POWER_MEASURES}).items()}
    delegated = totals["delegated"]
    totals.update(
        take_over_rate=_share(totals["taken_over"], delegated),
        running_rate=_share(totals["running"], totals["taken_over"]),
        running_share=_share(totals["running"], delegated),
        unused_share=_share(totals["unused"], delegated),
        not_taken_over_share=_share(totals["not_taken_over"], delegated),
        cases_per_power=(Decimal(totals["town_cases"]) / delegated).quantize(Decimal("0.01")) if delegated else None,
    )
    return totals


def power_breakdown(queryset, dimension):
    """{type code or mode: delegated / running / unused / not taken over} summed over the other dimension."""
    rows = queryset.values(dimension).annotate(**{m: Sum(m) for m in POWER_MEASURES}).order_by(dimension)
    return {row.pop(dimension): row for row in rows}


def figure_values(queryset):
    """{metric: {key: value}} for one scope and period."""
    result = {}
    for metric, key, value in queryset.values_list("metric", "key").annotate(v=Sum("value")).order_by():
        result.setdefault(metric, {})[key] = value
    return result
