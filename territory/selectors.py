"""Read paths of call-and-respond: the inboxes of departments, towns and the county office, a call's timeline."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.scoping import visible

from .models import Call, CallStep, ResponsibilityItem

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
