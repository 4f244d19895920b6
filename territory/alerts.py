"""Policy rules of call-and-respond, declared like the statistics engine's other rules (``stats.alerts``).

Each returns the [(sql, params)] of its breaches for the towns ``town_ids`` (None: all). The time a
call is judged overdue at is the earlier of the application's clock and the end of ``as_of``. The
clock enters the SQL as ``stats.sql.clock()``, which each run replaces with its own moment (a town
run's SQL is compiled once a day), so a moved clock moves the limits too.
"""

import datetime as dt

from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    DateTimeField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from .models import DEFAULT_ON_TIME_THRESHOLD, Call, ResponsibilityItem

# A department answering fewer calls than this in a quarter is not rated on its on-time rate.
MIN_CALLS_FOR_RATE = 5
QUARTER_DAYS = 91


def _NO_TOWN():
    # Typed: a bare NULL would not unite with the other rules' town ids.
    return Cast(Value(None), BigIntegerField())


def _end_of(as_of):
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def _moment(as_of):
    from stats.sql import clock

    return Least(clock(), Value(_end_of(as_of), output_field=DateTimeField()))


def call_breaches(as_of, town_ids):
    """Calls not accepted within their limit, and calls accepted but not closed within theirs."""
    from stats.alerts import breach_select
    from stats.models import AlertRule
    from stats.sql import only_towns

    moment = _moment(as_of)
    calls = only_towns(Call.objects.all(), "town_id", town_ids)
    common = {"region": F("town__county_id"), "town": F("town_id")}
    params = {"town": F("town__name"), "department": F("department__name"), "subject": F("subject")}
    not_accepted = calls.filter(state=Call.State.RAISED, accept_due__lt=moment)
    not_closed = calls.filter(state=Call.State.ACCEPTED, close_due__lt=moment)
    return [
        breach_select(
            not_accepted, AlertRule.CALL_NOT_ACCEPTED, Call, since=TruncDate("accept_due"), params=params, **common
        ),
        breach_select(
            not_closed, AlertRule.CALL_NOT_CLOSED, Call, since=TruncDate("close_due"), params=params, **common
        ),
    ]


def department_breaches(as_of, town_ids):
    """Departments whose calls due to close in the quarter up to ``as_of`` were closed in time less often
    than their county's threshold; in the full run only (a department belongs to no town)."""
    from delegation.models import Department
    from stats.alerts import breach_select
    from stats.models import AlertRule

    if town_ids is not None:
        return []
    end = _end_of(as_of)
    # The quarter's calls are joined on that condition alone, so the grouping reads them, not the
    # department's whole history; the county's threshold comes by its one-to-one join, not a subquery
    # evaluated for every joined call. They are counted by their due time (never NULL once joined), so
    # that the index on it (``call_close_due``) holds every column read and the table is not.
    quarter = FilteredRelation(
        "calls",
        condition=Q(calls__close_due__gte=end - dt.timedelta(days=QUARTER_DAYS), calls__close_due__lt=_moment(as_of)),
    )
    on_time = Q(quarter__closed_at__isnull=False, quarter__closed_at__lte=F("quarter__close_due"))
    threshold = Coalesce(
        F("county__call_policy__on_time_threshold"), Value(DEFAULT_ON_TIME_THRESHOLD), output_field=IntegerField()
    )
    departments = (
        Department.objects.annotate(quarter=quarter)
        .alias(due_n=Count("quarter__close_due"), on_time_n=Count("quarter__close_due", filter=on_time))
        .alias(threshold=threshold)
        .filter(due_n__gte=MIN_CALLS_FOR_RATE, on_time_n__lt=F("threshold") * F("due_n") / 100.0)
    )
    params = {
        "department": F("name"),
        "rate": F("on_time_n") * 100 / Greatest(F("due_n"), 1),
        "threshold": F("threshold"),
    }
    since = Value(as_of - dt.timedelta(days=QUARTER_DAYS), output_field=DateField())
    return [
        breach_select(
            departments,
            AlertRule.DEPARTMENT_LATE,
            Department,
            region=F("county_id"),
            town=_NO_TOWN(),
            since=since,
            params=params,
        )
    ]


def item_breaches(as_of, town_ids):
    """List items in force with no main-responsibility unit; in the full run only."""
    from stats.alerts import breach_select
    from stats.models import AlertRule

    if town_ids is not None:
        return []
    items = ResponsibilityItem.objects.filter(main_unit="", responsibility_list__in_force_from__lte=as_of).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of)
    )
    return [
        breach_select(
            items,
            AlertRule.ITEM_NO_MAIN_UNIT,
            ResponsibilityItem,
            region=F("responsibility_list__county_id"),
            town=_NO_TOWN(),
            since=F("responsibility_list__in_force_from"),
            params={"list": F("responsibility_list__title"), "number": F("number"), "item": F("name")},
        )
    ]


RULES = [call_breaches, department_breaches, item_breaches]
