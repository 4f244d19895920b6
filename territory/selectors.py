"""Read paths of call-and-respond: the inboxes of departments, towns and the county office, a call's timeline."""

import datetime as dt

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.scoping import visible, visible_under
from stats.selectors import percent_share

from .models import SUMMED, Call, CallStep, ResponsibilityItem

State = Call.State
OPEN_STATES = (State.RAISED, State.ACCEPTED, State.RETURNED, State.DISPUTED)


def overdue_q(now: dt.datetime) -> Q:
    """Calls past a time limit they have not met yet: not accepted in time, or not closed in time."""
    return Q(state=State.RAISED, accept_due__lt=now) | Q(state=State.ACCEPTED, close_due__lt=now)


class Box:
    """The inboxes (待受理 / 待办结 / 已超时 / 争议), by the ``box`` filter's value."""

    TO_ACCEPT = "to_accept"
    TO_CLOSE = "to_close"
    OVERDUE = "overdue"
    DISPUTED = "disputed"
    TO_EVALUATE = "to_evaluate"
    LABELS = {
        TO_ACCEPT: _("待受理"),
        TO_CLOSE: _("待办结"),
        OVERDUE: _("已超时"),
        DISPUTED: _("争议待裁定"),
        TO_EVALUATE: _("待评价"),
    }


def box_q(box: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return {
        Box.TO_ACCEPT: Q(state=State.RAISED),
        Box.TO_CLOSE: Q(state=State.ACCEPTED),
        Box.OVERDUE: overdue_q(now),
        Box.DISPUTED: Q(state=State.DISPUTED),
        Box.TO_EVALUATE: Q(state=State.CLOSED),
    }[box]


def call_list(*, user: User) -> QuerySet[Call]:
    """The calls ``user`` may read, with what their lists show joined."""
    return visible(user, Call).select_related("town", "department", "item")


def inbox_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """{box: number of calls} over the user's calls, one query."""
    from django.db.models import Count

    now = now or timezone.now()
    calls = visible(user, Call)
    return calls.aggregate(**{box: Count("pk", filter=box_q(box, now)) for box in Box.LABELS})


def timeline(call: Call) -> QuerySet[CallStep]:
    """The call's steps, oldest first, with who took them."""
    return call.steps.select_related("by").order_by("at", "pk")


def items_in_force(*, user: User, on: dt.date | None = None) -> QuerySet[ResponsibilityItem]:
    """The list items the user may read that are in force on ``on`` (default today)."""
    on = on or timezone.localdate()
    items = visible(user, ResponsibilityItem).filter(responsibility_list__in_force_from__lte=on)
    items = items.filter(
        Q(responsibility_list__in_force_until__isnull=True) | Q(responsibility_list__in_force_until__gte=on)
    )
    return items.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


# Figures ------------------------------------------------------------------------------------------


def with_rates(row: dict) -> dict:
    """A summed row with its on-time, closure and satisfaction rates (percent; None without calls).

    The statistics' one rule for shares: percent to one decimal, half up (四舍五入), None without a whole.
    """
    return {
        **row,
        "on_time_rate": percent_share(row["closed_on_time"] or 0, row["closed"]),
        "accept_on_time_rate": percent_share(row["accepted_on_time"] or 0, row["accepted"]),
        "closure_rate": percent_share(row["closed"] or 0, row["calls"]),
        "satisfaction_rate": percent_share(row["satisfied"] + row["basically"], row["evaluated"]),
    }


def call_figures(
    *, user: User, town_id: int | None = None, region_id: int | None = None, year: int, ends: int | None = None
) -> dict:
    """A town's or a region's call figures over ``year``, with the departments ranked by on-time rate.

    Read from the stored figures: a town's from its monthly rows per department, a region's from the
    year totals of its counties' departments (``DepartmentYearCalls``). With ``ends``, a ranking of
    more than twice that many departments keeps its best and its worst ``ends`` and counts the others
    in ``left_out``: a province has well over a thousand departments, and only the kept rows get their
    rates.
    """
    from django.db import connection
    from django.db.models import F, Sum

    from core.sql import ranked_ends, share_sql
    from delegation.models import Department

    from .models import CallFigure, DepartmentYearCalls

    if town_id is not None:
        rows = visible(user, CallFigure).filter(town_id=town_id, period__year=year, department__isnull=False)
        # Grouped by the department's id alone: joining every month's row to its department's and
        # county's names and grouping by them cost more than the ranking. The names are joined to the
        # rows kept, after the cut.
        grouped = rows.values("department_id").annotate(**{name: Sum(name) for name in SUMMED})
    else:
        # A province's departments, one stored row each, not a year of monthly rows summed per view.
        totals = visible_under(user, DepartmentYearCalls, region_id).filter(year=year)
        grouped = totals.values("department_id", *SUMMED)
    # By the exact on-time share (rows shown with equal rounded rates keep this order), then calls, and
    # the department's id, as the town ranking breaks its ties.
    q = connection.ops.quote_name
    share = f"CASE WHEN {q('closed')} > 0 THEN {share_sql(q('closed_on_time'), q('closed'))} ELSE 0 END"
    order = f"{share} DESC, {q('calls')} DESC, {q('department_id')}"
    names = Department.objects.values(label_key=F("pk"), department__name=F("name"), county__name=F("county__name"))
    rows, ranked, _in_all, total = ranked_ends(
        grouped.order_by(), order, ends, totals=SUMMED, labels=("department_id", names)
    )
    ranking = [with_rates(row) for row in rows]
    left_out = ranked - len(ranking)
    return {"total": with_rates(total), "ranking": ranking, "left_out": left_out, "year": year}


def call_figure_periods(*, user: User, town_id: int | None = None, region_id: int | None = None):
    """The call figures' rows of a town, or of the counties at or under a region (for their months)."""
    from .models import CallFigure

    if town_id is not None:
        return visible(user, CallFigure).filter(town_id=town_id)
    # A month with any call of the region has its departments' rows: read only those, county by county
    # through their index (``call_figure_county_months``).
    return visible_under(user, CallFigure, region_id).filter(town__isnull=True)


def call_figure_months(*, user: User, town_id: int | None = None, region_id: int | None = None):
    """(SQL, params) of a SELECT of the months (``period``) with call figures of a town, or of the counties
    at or under a region (``call_figure_periods``), on the database those figures are read from.

    For a region, month by month: whether any of its counties has a row that month, which the first
    index entry found answers, over the months the table holds, found by skipping through its (period,
    town) index. Reading every row of every month read ~19,000 index entries for a province.
    """
    from .models import CallFigure

    rows = call_figure_periods(user=user, town_id=town_id, region_id=region_id)
    sql, params = rows.values_list("period", flat=True).order_by().query.sql_with_params()
    if town_id is not None:
        return f"SELECT period FROM ({sql}) c", params  # noqa: S608 (the query is Django's)
    table = connections[rows.db].ops.quote_name(CallFigure._meta.db_table)
    months = (
        f"WITH RECURSIVE months (period) AS (SELECT MIN(period) FROM {table} UNION ALL "  # noqa: S608 (identifiers from model metadata)
        f"SELECT (SELECT MIN(period) FROM {table} WHERE period > months.period) FROM months "
        "WHERE months.period IS NOT NULL) SELECT period FROM months WHERE period IS NOT NULL"
    )
    # A scalar subquery, not EXISTS: the planner turns an EXISTS into a join over every row of every
    # month, where this stops at the first row of each.
    found = f"(SELECT 1 FROM ({sql}) c WHERE c.period = m.period LIMIT 1)"  # noqa: S608 (as above)
    return f"SELECT m.period FROM ({months}) m WHERE {found} IS NOT NULL", params  # noqa: S608 (as above)


def _scope_calls(user: User, town_id: int | None, region_id: int | None) -> QuerySet[Call]:
    from core.scoping import at_or_under

    calls = visible(user, Call)
    if town_id is not None:
        return calls.filter(town_id=town_id)
    return calls.filter(at_or_under("town__county", region_id))


def call_times(*, user: User, year: int, town=None, region=None) -> dict:
    """Median and 90th-percentile hours to accept and to close of a town's or region's calls raised in ``year``.

    A town's and a county's from their calls, one query: a median does not add up over months or towns
    as the counts do. A city's and a province's from the times the statistics engine stored
    (``RegionCallTimes``, with ``stored`` set): there a year holds too many calls to sort on every view.
    """
    from django.db import connection
    from django.db.models import F

    from .figures import FRACTIONS, TIMES, Hours, _percentile, time_aggregates
    from .models import RegionCallTimes

    if region is not None and region.level != region.Level.COUNTY:
        row = visible(user, RegionCallTimes).filter(region=region, year=year).values(*FRACTIONS).first()
        return {**(row or dict.fromkeys(FRACTIONS)), "stored": True}
    calls = _scope_calls(user, town and town.pk, region and region.pk).filter(raised_at__year=year)
    if connection.vendor == "postgresql":
        return calls.aggregate(**time_aggregates())
    hours = {name: Hours(F("raised_at"), F(column)) for name, (column,) in TIMES.items()}
    rows = list(calls.annotate(**hours).values(*hours))
    result = {}
    for name in TIMES:
        data = sorted(r[name] for r in rows if r[name] is not None)
        result[f"{name}_hours_median"] = _percentile(data, 0.5) if data else None
        result[f"{name}_hours_p90"] = _percentile(data, 0.9) if data else None
    return result


def item_call_counts(*, user: User, year: int, town=None, region=None) -> dict:
    """The list items of a town's county (its own calls counting) or of a region, for ``year``: the most
    called, with their number of calls, and how many items not withdrawn were never called.

    A town's and a county's from their calls; a city's and a province's from the counts the statistics
    engine stored (``ItemYearCalls``), as their times are (``call_times``).
    """
    from django.db.models import Count, Exists, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import ItemYearCalls, RegionCallTimes

    shown = ("pk", "number", "name", "responsibility_list__batch", "calls_in_year")
    if town is None and region.level != region.Level.COUNTY:
        # Two reads of stored rows, neither of the items themselves: the year's rows of the region's
        # counties (one table, by its index on year, county and calls), and the count of items never
        # called, stored with the region's times.
        stored = visible_under(user, ItemYearCalls, region.pk).filter(year=year)
        # Ordering all of a province's rows by their items' batch and number would join every row to its
        # item: only the rows from the tenth most calls up are ordered so (ties at the cut included).
        cut = stored.order_by("-calls").values("calls")[ITEMS_SHOWN - 1 : ITEMS_SHOWN]
        stored = stored.filter(calls__gte=Coalesce(Subquery(cut), 0))
        top = stored.order_by("-calls", "item__responsibility_list__batch", "item__number").values_list(
            "item_id", "item__number", "item__name", "item__responsibility_list__batch", "calls"
        )[:ITEMS_SHOWN]
        never = visible(user, RegionCallTimes).filter(region=region, year=year).values_list("items_never_called")
        return {
            "top": [dict(zip(shown, row, strict=True)) for row in top],
            "never": next(iter(never), (0,))[0],
            "stored": True,
        }
    items = visible(user, ResponsibilityItem)
    if town is not None:
        items = items.filter(responsibility_list__county_id=town.county_id)
    else:
        items = items.filter(responsibility_list__county__in=visible_under(user, type(region), region.pk).values("pk"))
    order = ("-calls_in_year", "responsibility_list__batch", "number")
    in_year = Q(calls__raised_at__year=year) & (Q(calls__town_id=town.pk) if town is not None else Q())
    top = items.annotate(calls_in_year=Count("calls", filter=in_year)).filter(calls_in_year__gt=0)
    calls = Call.objects.filter(item=OuterRef("pk"), raised_at__year=year)
    if town is not None:
        calls = calls.filter(town_id=town.pk)
    never = items.filter(withdrawn_on__isnull=True).exclude(Exists(calls)).count()
    return {"top": list(top.order_by(*order).values(*shown)[:ITEMS_SHOWN]), "never": never}


ITEMS_SHOWN = 10


def department_record(*, user: User, department_id: int, year: int) -> dict:
    """A department's response record for ``year`` (on-time, satisfaction, disputes), as evidence for its score."""
    from django.db.models import Sum

    from .models import CallFigure

    rows = visible(user, CallFigure).filter(period__year=year, department_id=department_id, town__isnull=True)
    total = rows.aggregate(**{name: Sum(name) for name in SUMMED})
    lost = visible(user, Call).filter(
        department_id=department_id,
        raised_at__year=year,
        was_disputed=True,
        state__in=(State.ACCEPTED, State.CLOSED, State.EVALUATED),
    )
    return {**with_rates({k: total[k] or 0 for k in SUMMED}), "disputes_lost": lost.count(), "year": year}


def assessed_department(*, county_id: int, assessed_unit: str):
    """The county department an assessment names: by its name, or the longest one a dispatched agency's name holds."""
    from delegation.models import Department

    names = Department.objects.filter(county_id=county_id).values_list("pk", "name")
    found = [(len(name), pk) for pk, name in names if name and name in (assessed_unit or "")]
    return max(found)[1] if found else None


def response_record_note(*, user: User, county_id: int, assessed_unit: str, year: int) -> str:
    """One sentence of the assessed department's call record for ``year``, shown beside the town's score."""
    department_id = assessed_department(county_id=county_id, assessed_unit=assessed_unit)
    if department_id is None:
        return ""
    record = department_record(user=user, department_id=department_id, year=year)
    if not record["calls"]:
        return str(_("该部门 %(year)s 年没有乡呼县应记录。") % {"year": year})
    return str(
        _(
            "乡呼县应记录(%(year)s 年,供评分参考):呼叫 %(calls)s 件,按时办结率 %(on_time)s%%,"
            "满意率 %(satisfaction)s%%,争议 %(disputes)s 件,其中裁定由部门办理 %(lost)s 件。"
        )
        % {
            "year": year,
            "calls": record["calls"],
            "on_time": record["on_time_rate"] if record["on_time_rate"] is not None else "—",
            "satisfaction": record["satisfaction_rate"] if record["satisfaction_rate"] is not None else "—",
            "disputes": record["disputes"],
            "lost": record["disputes_lost"],
        }
    )


def item_calls(*, user: User, year: int) -> QuerySet[ResponsibilityItem]:
    """The list items ``user`` may read with ``calls``, the number of calls raised on each in ``year`` (0: never)."""
    from django.db.models import Count

    return (
        visible(user, ResponsibilityItem)
        .annotate(calls_in_year=Count("calls", filter=Q(calls__raised_at__year=year)))
        .order_by("-calls_in_year", "responsibility_list", "number")
    )
