"""An edit to past data recomputes every month it touches, from its own month up to now."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import User
from delegation.models import MonthlyCaseCount

pytestmark = pytest.mark.django_db

PAST = dt.date(2021, 6, 1)


def town_cases(town_code, period):
    """The statistics API's town cases (last 12 months) of a town at ``period``, as a reviewer reads them."""
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    response = client.get(
        reverse("api:stats-api:power-figure-list"),
        {"town": town_code, "scope_kind": "town", "period": f"{period:%Y-%m}", "page_size": 500},
    )
    assert response.status_code == 200
    return sum(row["town_cases"] for row in response.json()["results"])


@pytest.fixture
def past_count(demo):
    """A town's case count of a month long past, in a month the statistics hold."""
    row = MonthlyCaseCount.objects.filter(month=PAST, handled_by=MonthlyCaseCount.HandledBy.TOWN).select_related(
        "power__town"
    )
    return row.order_by("pk").first()


def free_month(count):
    """The earliest month, from its power's delegation on, in which that power has no count of its own."""
    held = set(
        MonthlyCaseCount.objects.filter(power=count.power, handled_by=count.handled_by).values_list("month", flat=True)
    )
    month = count.power.delegated_on.replace(day=1)
    while month in held:
        month = _later(month, 1)
    return month


def _later(month, months):
    return (month + dt.timedelta(days=31 * months)).replace(day=1)


def test_a_past_case_count_edited_through_the_api_shows_at_its_month_and_the_year_after(
    past_count, eager_celery, django_capture_on_commit_callbacks
):
    town = past_count.power.town.code
    before = {m: town_cases(town, m) for m in (PAST, _later(PAST, 11), _later(PAST, 12))}
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/case-counts/{past_count.pk}/",
            {"accepted": past_count.accepted + 1000},
            format="json",
            HTTP_IF_MATCH="*",
        )
    assert response.status_code == 200
    assert town_cases(town, PAST) == before[PAST] + 1000
    # The case stays in the 12-month window for a year, then leaves it.
    assert town_cases(town, _later(PAST, 11)) == before[_later(PAST, 11)] + 1000
    assert town_cases(town, _later(PAST, 12)) == before[_later(PAST, 12)]


def test_a_past_case_count_edited_on_its_page_shows_at_its_month(
    past_count, eager_celery, django_capture_on_commit_callbacks
):
    town = past_count.power.town.code
    before = town_cases(town, PAST)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="admin"))
    data = {
        "power": past_count.power_id,
        "month": f"{PAST:%Y-%m-%d}",
        "handled_by": past_count.handled_by,
        "accepted": past_count.accepted + 7,
        "closed": past_count.closed,
        "version": past_count.version,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("delegation:case-counts_update", args=[past_count.pk]), data)
    assert response.status_code == 302
    assert town_cases(town, PAST) == before + 7


def test_moving_a_case_count_to_an_earlier_month_recomputes_from_the_earlier_month(
    past_count, eager_celery, django_capture_on_commit_callbacks
):
    town = past_count.power.town.code
    # Counted once the power is delegated: the earliest month from then on without a count of its own.
    earlier = free_month(past_count)
    assert earlier < PAST
    before = town_cases(town, earlier)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/case-counts/{past_count.pk}/", {"month": f"{earlier:%Y-%m-%d}"}, format="json", HTTP_IF_MATCH="*"
        )
    assert response.status_code == 200
    assert town_cases(town, earlier) == before + past_count.accepted


def test_an_edit_without_a_date_recomputes_the_towns_months_from_its_reform_start(
    past_count, eager_celery, django_capture_on_commit_callbacks
):
    """A record that says nothing about when it applies (here the town itself) may change any month."""
    from reforms.models import ProgrammeMembership
    from stats.models import Figure

    town = past_count.power.town
    start = ProgrammeMembership.objects.filter(town=town).order_by("joined_on").first().joined_on.replace(day=1)
    before = _later(start, -1)

    def row_ids(period):
        return set(
            Figure.objects.filter(scope_kind="town", scope_id=town.pk, period=period).values_list("pk", flat=True)
        )

    months = [start, PAST, timezone.localdate().replace(day=1)]
    stored = {month: row_ids(month) for month in months}
    earlier = row_ids(before)
    assert all(stored.values())
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/towns/{town.pk}/", {"name": town.name + "x"}, format="json", HTTP_IF_MATCH="*")
    # Rewritten rows have new ids; a month before the town's start is left alone.
    assert all(row_ids(month) and not row_ids(month) & stored[month] for month in months)
    assert row_ids(before) == earlier


def test_a_town_waiting_for_past_months_keeps_the_earliest_asked_and_outlives_a_full_run(demo):
    from stats import services
    from stats.models import PendingRecompute

    town = MonthlyCaseCount.objects.filter(month=PAST).first().power.town_id
    services.pending_mark({town}, since={town: dt.date(2022, 5, 17)})
    services.pending_mark({town}, since={town: PAST})
    services.pending_mark({town}, since={town: dt.date(2023, 1, 1)})
    services.pending_mark({town})  # the current month only: asks for nothing earlier
    assert PendingRecompute.objects.get(town_id=town).since == PAST
    services.recompute_all()
    assert PendingRecompute.objects.get(town_id=town).since == PAST
    services.pending_drain()
    assert not PendingRecompute.objects.exists()


def test_a_past_month_asked_for_is_kept_when_another_edit_inserted_the_towns_row_first(demo, monkeypatch):
    """Two edits of one town at once: the other edit's row (the current month only) lands between this
    edit's look for a waiting row and its insert. This edit's past month must still be asked for."""
    from stats import services
    from stats.models import PendingRecompute

    town = MonthlyCaseCount.objects.filter(month=PAST).first().power.town_id
    PendingRecompute.objects.filter(town_id=town).delete()
    real_bulk_create = PendingRecompute.objects.bulk_create

    def other_edit_first(rows, **kwargs):
        if not PendingRecompute.objects.filter(town_id=town).exists():
            real_bulk_create([PendingRecompute(town_id=town, touched_at=timezone.now(), since=None)])
        return real_bulk_create(rows, **kwargs)

    monkeypatch.setattr(PendingRecompute.objects, "bulk_create", other_edit_first)
    services.pending_mark({town}, since={town: dt.date(2021, 6, 17)})
    assert PendingRecompute.objects.get(town_id=town).since == PAST
