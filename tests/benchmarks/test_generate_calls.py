"""The generator's call-and-respond and period history: at tiny scale, lists, limits, calls whose steps
follow the state machine of ``territory.services``, editions that withdraw and add powers, and the
figures recomputed over all of it."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db.models import Q, Sum
from django.utils import timezone

from benchmarks.generate import generate
from delegation.models import DelegatedPower, DelegationCatalogue
from reforms.models import Region
from stats.services import recompute_all
from territory.figures import _window
from territory.models import Call, CallFigure, CallPolicy, CallStep, ResponsibilityItem, ResponsibilityList
from territory.services import FROM_STATES

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date(2026, 11, 15)
NOW = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
State, Action = Call.State, CallStep.Action
# Where each step leaves a call (REOPEN follows a first 不满意, from EVALUATED).
FROM = {**FROM_STATES, Action.RAISE: {None}, Action.REOPEN: {State.EVALUATED}}


@pytest.fixture
def generated():
    generate("tiny", today=TODAY)


def test_every_county_has_a_list_of_about_120_items_in_three_batches_and_its_time_limits(generated):
    for county in Region.objects.filter(level="county"):
        assert ResponsibilityList.objects.filter(county=county).count() == 3
        items = ResponsibilityItem.objects.filter(responsibility_list__county=county)
        assert items.count() == 120
        assert not items.filter(is_generated=False).exists()
        units = Counter(items.values_list("main_unit", flat=True))
        assert units["department"] > 90
        assert units["town"] > 0
        assert units[""] > 0
        # A department bearing the main responsibility belongs to the list's county.
        assert not items.filter(main_department__isnull=False).exclude(main_department__county=county).exists()
        assert CallPolicy.objects.filter(county=county).count() == 1


def test_calls_and_their_steps_follow_the_state_machine(generated):
    calls = {call.pk: call for call in Call.objects.select_related("department")}
    assert len(calls) == 6 * 20 * 24
    steps = defaultdict(list)
    for step in CallStep.objects.select_related("by").order_by("call", "at", "pk"):
        steps[step.call_id].append(step)
    for pk, call in calls.items():
        trail, state = steps[pk], None
        assert trail[0].action == Action.RAISE, pk
        assert trail[0].at == call.raised_at, pk
        for before, step in zip([None, *trail], trail, strict=False):
            assert state in FROM[step.action], (pk, state, step.action)
            assert before is None or before.at <= step.at <= NOW, pk
            state = step.state_after
            if step.action in (Action.ACCEPT, Action.RETURN, Action.RESPOND, Action.CLOSE):
                assert step.by.department_id == call.department_id, (pk, step.action)
        assert state == call.state, pk
        actions = [step.action for step in trail]
        if call.state in (State.CLOSED, State.EVALUATED):
            assert {Action.ACCEPT, Action.ARBITRATE} & set(actions), pk
            assert Action.CLOSE in actions, pk
            assert call.closed_at == max(s.at for s in trail if s.action == Action.CLOSE), pk
        if call.accepted_at is not None:
            assert call.accepted_at == next(s.at for s in trail if s.action in (Action.ACCEPT, Action.ARBITRATE))
        assert call.was_disputed == (Action.DISPUTE in actions), pk
        assert call.reopened == (Action.REOPEN in actions), pk
        # The first 不满意 always sends the call back to the department (territory.services.call_evaluate).
        if call.rating == Call.Rating.DISSATISFIED and actions.count(Action.EVALUATE) == 1:
            assert actions[-1] == Action.REOPEN, (pk, actions)
    kinds = Counter(call.state for call in calls.values())
    assert kinds[State.EVALUATED] > len(calls) / 2
    assert kinds[State.WITHDRAWN]
    assert sum(c.reopened for c in calls.values())
    assert sum(c.was_disputed for c in calls.values())
    assert sum(c.item_id is None for c in calls.values())
    overdue = Q(state=State.RAISED, accept_due__lt=NOW) | Q(state=State.ACCEPTED, close_due__lt=NOW)
    assert Call.objects.filter(overdue).exists()
    assert not Call.objects.filter(is_generated=False).exists()


def test_a_second_edition_withdraws_and_adds_powers_and_take_overs_spread_over_two_years(generated):
    for county in Region.objects.filter(level="county"):
        second = DelegationCatalogue.objects.get(county=county, edition=2)
        withdrawn = DelegatedPower.objects.filter(town__county=county, withdrawn_in=second)
        assert withdrawn.exists()
        assert not withdrawn.exclude(withdrawn_on=second.issued_on).exists()
        assert DelegatedPower.objects.filter(town__county=county, catalogue=second, delegated_on=second.issued_on)
    recent = DelegatedPower.objects.filter(take_over_on__gte=TODAY - dt.timedelta(days=730))
    assert recent.count() > DelegatedPower.objects.count() / 10
    assert not DelegatedPower.objects.filter(take_over_on__gt=TODAY).exists()


def test_the_figures_recompute_over_the_generated_calls(generated):
    run = recompute_all(TODAY, analyse=False)

    assert run.outcome == "success"
    first, last = _window(TODAY.replace(day=1))
    in_window = Call.objects.filter(raised_at__date__gte=first, raised_at__date__lte=TODAY)
    per_department = CallFigure.objects.filter(town__isnull=True, department__isnull=False)
    totals = per_department.aggregate(calls=Sum("calls"), closed=Sum("closed"), disputes=Sum("disputes"))
    assert totals["calls"] == in_window.count()
    assert totals["closed"] == in_window.filter(state__in=(State.CLOSED, State.EVALUATED)).count()
    assert totals["disputes"] == in_window.filter(was_disputed=True).count()
    assert per_department.filter(period=last).exists()
