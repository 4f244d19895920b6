"""Write paths of call-and-respond: the call's state machine, and the withdrawal of list items.

Every step locks the call, checks who may take it and that it follows the call's state, writes the
call and one ``CallStep`` (who, when, what), and leaves its audit entry and history in the same
transaction. A step out of order is refused with the field at fault named, and nothing is written.
Service accounts pass their own ``external_id``: sending the same call or step again changes nothing.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.constraints import errors_at_fields
from core.models import User
from core.services import VersionConflict, record_update, towns_touched
from core.signals import record_changed, write_begins
from delegation.models import Department
from reforms.models import Town

from .models import DEFAULT_LIMITS, Call, CallPolicy, CallStep, ResponsibilityItem, Urgency

State = Call.State
Action = CallStep.Action


# Who may take which step -------------------------------------------------------------------------


def _is_county_editor(user: User, county_id: int) -> bool:
    return user.role == User.Role.COUNTY_EDITOR and user.region_id == county_id


def raises_calls(user: User) -> bool:
    """Whether ``user`` may raise calls at all: town staff, county offices and their platforms; never reviewers."""
    return user.is_system_admin or user.role in (User.Role.TOWN_STAFF, User.Role.COUNTY_EDITOR)


def acts_for_town(user: User, town: Town) -> bool:
    """Raise, dispute, withdraw and rate: the town's staff, its county office, or a platform of that county."""
    if user.is_system_admin:
        return True
    if user.role == User.Role.TOWN_STAFF:
        return user.town_id == town.pk
    return _is_county_editor(user, town.county_id)


def acts_for_department(user: User, call: Call) -> bool:
    """Accept, return, respond and close: the department's staff, or a platform of the county."""
    if user.is_system_admin:
        return True
    if user.role == User.Role.DEPARTMENT_STAFF:
        return user.department_id == call.department_id
    # The county office arbitrates but does not answer for a department; other systems relay its answers.
    return user.is_service_account and _is_county_editor(user, call.town.county_id)


def arbitrates(user: User, call: Call) -> bool:
    """Decide a dispute: the county reform office of the call's county."""
    return user.is_system_admin or _is_county_editor(user, call.town.county_id)


SIDES: dict[str, Callable[[User, Call], bool]] = {
    Action.ACCEPT: acts_for_department,
    Action.RETURN: acts_for_department,
    Action.RESPOND: acts_for_department,
    Action.CLOSE: acts_for_department,
    Action.DISPUTE: lambda user, call: acts_for_town(user, call.town),
    Action.WITHDRAW: lambda user, call: acts_for_town(user, call.town),
    Action.EVALUATE: lambda user, call: acts_for_town(user, call.town),
    Action.ARBITRATE: arbitrates,
}

# The states each step may start from.
FROM_STATES: dict[str, set[str]] = {
    Action.ACCEPT: {State.RAISED},
    Action.RETURN: {State.RAISED},
    Action.DISPUTE: {State.RETURNED},
    Action.WITHDRAW: {State.RAISED, State.RETURNED},
    Action.ARBITRATE: {State.DISPUTED},
    Action.RESPOND: {State.ACCEPTED},
    Action.CLOSE: {State.ACCEPTED},
    Action.EVALUATE: {State.CLOSED},
}


def limits_for(town: Town, urgency: str) -> tuple[int, int]:
    """(hours to accept, hours to close) the town's county set for ``urgency``, else the defaults."""
    policy = CallPolicy.objects.filter(county_id=town.county_id).first()
    return policy.limits(urgency) if policy else DEFAULT_LIMITS[Urgency(urgency)]


# Raising ------------------------------------------------------------------------------------------


def _history_user(call: Call, user: User) -> None:
    # django-simple-history records who made the change; outside a request it cannot know.
    call._history_user = user  # type: ignore[attr-defined]


def _clean(call: Call) -> None:
    try:
        call.full_clean()
    except ValidationError as error:
        raise errors_at_fields(Call, error) from None


def _when(at: dt.datetime | None, *, after: dt.datetime | None = None) -> dt.datetime:
    """The step's time: now, or the time another system reports; never in the future nor before the last step."""
    now = timezone.now()
    if at is None:
        return now
    if at > now + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("时间不能晚于现在。")})
    if after is not None and at < after:
        raise ValidationError({"at": _("时间不能早于上一环节的时间。")})
    return at


@transaction.atomic
def call_raise(
    *,
    user: User,
    town: Town,
    department: Department,
    subject: str,
    urgency: str = Urgency.NORMAL,
    item: ResponsibilityItem | None = None,
    place: str = "",
    description: str = "",
    raised_at: dt.datetime | None = None,
    external_id: str = "",
) -> tuple[Call, bool]:
    """Raise a call from ``town`` on ``department``; returns (call, created).

    A call with the caller's ``external_id`` already raised is returned as it is, unchanged.
    """
    if not acts_for_town(user, town):
        raise PermissionDenied(_("您无权以该镇名义呼叫。"))
    write_begins.send(sender=Call)
    if external_id:
        existing = Call.objects.filter(raised_by=user, external_id=external_id).first()
        if existing is not None:
            return existing, False
    raised_at = _when(raised_at)
    accept_hours, close_hours = limits_for(town, urgency) if urgency in Urgency.values else (0, 0)
    call = Call(
        town=town,
        department=department,
        item=item,
        subject=subject,
        place=place,
        description=description,
        urgency=urgency,
        raised_at=raised_at,
        accept_due=raised_at + dt.timedelta(hours=accept_hours),
        close_due=raised_at + dt.timedelta(hours=close_hours),
        raised_by=user,
        external_id=external_id,
    )
    _clean(call)
    if item is not None and item.is_withdrawn:
        raise ValidationError({"item": _("该事项已取消,请按清单外事项呼叫。")})
    _history_user(call, user)
    call.save()
    _log(call, user, Action.RAISE, note=description, at=raised_at, external_id="")
    record_changed.send(sender=Call, instance=call, user=user, action="create")
    towns_touched({town.pk}, calls_since=_raised_on(call))
    return call, True


# Steps --------------------------------------------------------------------------------------------


def _raised_on(call: Call) -> dt.date:
    """The day the call was raised, in the zone whose months the figures count: a step of the call
    changes the figures of that month alone."""
    return timezone.localtime(call.raised_at).date()


def _log(call: Call, user: User, action: str, *, note: str, at: dt.datetime, external_id: str) -> CallStep:
    return CallStep.objects.create(
        call=call, action=action, state_after=call.state, note=note, at=at, by=user, external_id=external_id
    )


def _out_of_order(call: Call, action: str) -> ValidationError:
    if action == Action.EVALUATE and call.state == State.EVALUATED:
        return ValidationError({"rating": _("该呼叫已评价,不能再次评价。")})
    return ValidationError(
        {
            "state": _("呼叫当前为“%(state)s”,不能%(action)s。")
            % {"state": call.get_state_display(), "action": Action(action).label}
        }
    )


def _last_step_at(call: Call) -> dt.datetime:
    return call.steps.order_by("-at").values_list("at", flat=True).first() or call.raised_at


def _step(
    call: Call,
    *,
    user: User,
    action: str,
    apply: Callable[[Call, dt.datetime], None],
    note: str = "",
    at: dt.datetime | None = None,
    external_id: str = "",
    expected_version: int | None = None,
) -> Call:
    """Lock the call, check the step, apply it, log it; a step already sent by ``external_id`` is a no-op."""
    write_begins.send(sender=Call)
    current = Call.objects.select_for_update().select_related("town", "department").get(pk=call.pk)
    if not SIDES[action](user, current):
        raise PermissionDenied(_("您无权对该呼叫执行此操作。"))
    if external_id and current.steps.filter(by=user, external_id=external_id).exists():
        return current
    if expected_version is not None and current.version != int(expected_version):
        raise VersionConflict(current)
    if current.state not in FROM_STATES[action]:
        raise _out_of_order(current, action)
    when = _when(at, after=_last_step_at(current))
    apply(current, when)
    _clean(current)
    _history_user(current, user)
    current.save()
    _log(current, user, action, note=note, at=when, external_id=external_id)
    record_changed.send(sender=Call, instance=current, user=user, action="update")
    towns_touched({current.town_id}, calls_since=_raised_on(current))
    return current


def _required(value: str, field: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationError({field: message})


@transaction.atomic
def call_accept(*, user: User, call: Call, note: str = "", **step: Any) -> Call:
    """The department accepts the call (受理): the clock to close keeps running from the call."""

    def apply(c: Call, when: dt.datetime) -> None:
        c.state, c.accepted_at = State.ACCEPTED, when

    return _step(call, user=user, action=Action.ACCEPT, apply=apply, note=note, **step)


@transaction.atomic
def call_return(*, user: User, call: Call, reason: str, **step: Any) -> Call:
    """The department returns the call as not its responsibility; the town may dispute it or withdraw it."""
    _required(reason, "reason", _("退回时须说明理由。"))

    def apply(c: Call, when: dt.datetime) -> None:
        c.state, c.returned_reason = State.RETURNED, reason

    return _step(call, user=user, action=Action.RETURN, apply=apply, note=reason, **step)


@transaction.atomic
def call_dispute(*, user: User, call: Call, note: str = "", **step: Any) -> Call:
    """The town holds the returned call to be the department's: the county office decides by the list."""
    _required(note, "note", _("提出争议时须说明依据。"))

    def apply(c: Call, when: dt.datetime) -> None:
        c.state, c.was_disputed = State.DISPUTED, True

    return _step(call, user=user, action=Action.DISPUTE, apply=apply, note=note, **step)


@transaction.atomic
def call_withdraw(*, user: User, call: Call, note: str = "", **step: Any) -> Call:
    """The town takes its call back (it is its own to handle, or the matter resolved itself)."""

    def apply(c: Call, when: dt.datetime) -> None:
        c.state = State.WITHDRAWN

    return _step(call, user=user, action=Action.WITHDRAW, apply=apply, note=note, **step)


class Decision:
    """The county office's ruling on a dispute."""

    DEPARTMENT = "department"  # the department must handle it: the call counts as accepted now
    TOWN = "town"  # the return stands: the matter is the town's
    CHOICES = (DEPARTMENT, TOWN)


@transaction.atomic
def call_arbitrate(
    *, user: User, call: Call, decision: str, ruling: str, department: Department | None = None, **step: Any
) -> Call:
    """Decide a dispute by the list; ``department`` hands the call to another department of the county."""
    if decision not in Decision.CHOICES:
        raise ValidationError({"decision": _("裁定结果须为 department(部门办理)或 town(属镇职责)。")})
    _required(ruling, "ruling", _("裁定时须写明依据。"))

    def apply(c: Call, when: dt.datetime) -> None:
        c.ruling = ruling
        if decision == Decision.TOWN:
            c.state = State.WITHDRAWN
            return
        if department is not None:
            c.department = department
        c.state, c.accepted_at = State.ACCEPTED, when

    return _step(call, user=user, action=Action.ARBITRATE, apply=apply, note=ruling, **step)


@transaction.atomic
def call_respond(*, user: User, call: Call, response: str, **step: Any) -> Call:
    """The department records what it did (响应); it may do so more than once before closing."""
    _required(response, "response", _("请填写处置情况。"))

    def apply(c: Call, when: dt.datetime) -> None:
        c.response = response

    return _step(call, user=user, action=Action.RESPOND, apply=apply, note=response, **step)


@transaction.atomic
def call_close(*, user: User, call: Call, note: str = "", **step: Any) -> Call:
    """The department closes the call (办结) once it has recorded a response."""

    def apply(c: Call, when: dt.datetime) -> None:
        if not c.response.strip():
            raise ValidationError({"response": _("办结前须先填写处置情况。")})
        c.state, c.closed_at = State.CLOSED, when

    return _step(call, user=user, action=Action.CLOSE, apply=apply, note=note, **step)


@transaction.atomic
def call_evaluate(*, user: User, call: Call, rating: str, comment: str = "", **step: Any) -> Call:
    """The town rates the answer; the first 不满意 sends the call back to the department once."""
    if rating not in Call.Rating.values:
        raise ValidationError({"rating": _("评价须为满意、基本满意或不满意。")})
    if rating == Call.Rating.DISSATISFIED:
        _required(comment, "comment", _("不满意时须说明理由。"))
    reopens = {"value": False}

    def apply(c: Call, when: dt.datetime) -> None:
        c.rating, c.rating_comment, c.evaluated_at = rating, comment, when
        c.state = State.EVALUATED
        if rating == Call.Rating.DISSATISFIED and not c.reopened:
            reopens["value"] = True

    evaluated = _step(call, user=user, action=Action.EVALUATE, apply=apply, note=comment, **step)
    if reopens["value"] and evaluated.evaluated_at is not None:
        return _reopen(evaluated, user, evaluated.evaluated_at)
    return evaluated


def _reopen(call: Call, user: User, when: dt.datetime) -> Call:
    """Back to the department after a first 不满意, with a fresh time limit to close."""
    _accept_hours, close_hours = limits_for(call.town, call.urgency)
    call.state, call.reopened, call.closed_at = State.ACCEPTED, True, None
    call.close_due = when + dt.timedelta(hours=close_hours)
    _history_user(call, user)
    call.save()
    _log(call, user, Action.REOPEN, note=call.rating_comment, at=when, external_id="")
    record_changed.send(sender=Call, instance=call, user=user, action="update")
    return call


# Lists --------------------------------------------------------------------------------------------


def item_withdraw(
    *, user: User, item: ResponsibilityItem, on: dt.date, expected_version: int | None = None
) -> ResponsibilityItem:
    """Withdraw a list item from ``on``: it stays, with its calls and history, but takes no new calls."""
    if item.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": _("该事项已取消。")})
    return record_update(item, user=user, data={"withdrawn_on": on}, expected_version=expected_version)
