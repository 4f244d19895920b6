"""The demo's territorial lists and calls: the documents' counts, a realistic mix of calls, idempotent."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone

from demo.loader import load_demo
from territory.demo import load_territory
from territory.models import Call, CallStep, ResponsibilityItem, ResponsibilityList

pytestmark = pytest.mark.django_db


def test_jining_holds_132_items_in_three_batches(demo):
    lists = ResponsibilityList.objects.filter(county__code="370883")
    assert sorted(lists.values_list("batch", flat=True)) == [1, 2, 3]
    assert ResponsibilityItem.objects.filter(responsibility_list__in=lists).count() == 132


def test_each_dazhou_county_holds_119_generated_items(demo):
    counts = (
        ResponsibilityItem.objects.filter(responsibility_list__county__parent__code="511700")
        .values("responsibility_list__county")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in counts} == {119}
    assert len(counts) == 7
    assert not ResponsibilityItem.objects.filter(is_generated=False).exists()


def test_the_calls_include_overdue_disputed_and_reopened_ones(demo):
    calls = Call.objects.all()
    assert calls.count() > 300
    assert calls.filter(was_disputed=True).exists()
    assert calls.filter(reopened=True).exists()
    assert calls.filter(state=Call.State.EVALUATED, rating="dissatisfied").exists()
    assert calls.filter(item__isnull=True).exists()  # unlisted matters
    late = [c for c in calls.filter(accepted_at__isnull=False) if c.accepted_at > c.accept_due]
    assert late


def test_a_call_rated_dissatisfied_was_reopened_first_as_the_service_requires(demo):
    """A first 不满意 always reopens the call (territory.services.call_evaluate); only a second stands."""
    standing = Call.objects.filter(state=Call.State.EVALUATED, rating=Call.Rating.DISSATISFIED)
    assert standing.exists()
    assert list(standing.filter(reopened=False).values_list("subject", flat=True)) == []


def test_the_reported_example_closed_within_two_hours(demo):
    call = Call.objects.get(external_id="demo-example-sewage")
    assert (call.closed_at - call.raised_at).total_seconds() < 2 * 3600


def test_loading_again_adds_no_call_nor_item(demo):
    before = (Call.objects.count(), CallStep.objects.count(), ResponsibilityItem.objects.count())
    load_demo()
    assert (Call.objects.count(), CallStep.objects.count(), ResponsibilityItem.objects.count()) == before


def test_loaded_just_after_midnight_no_call_is_dated_in_the_future(demo):
    """The recent calls are dated back from the moment of loading, not from nine o'clock of its day: loaded
    at half past midnight, none is raised or answered later than that, so one past its limit is overdue."""
    Call.objects.all().delete()
    at = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(0, 30)))
    with time_machine.travel(at, tick=False):
        load_territory()
        assert Call.objects.count() > 300
        assert not Call.objects.filter(raised_at__gt=at).exists()
        assert not CallStep.objects.filter(at__gt=at).exists()
        assert Call.objects.filter(state=Call.State.RAISED, accept_due__lt=at).exists()
