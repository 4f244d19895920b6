"""At three periods the statistics equal an independent recomputation from the raw ledger rows.

The recomputation (``reforms.measures``) reads delegated powers, take-over dates and monthly case
counts with plain queries and counts in Python; the statistics come from ``stats``'s SQL.
"""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from reforms.measures import power_split, powers_delegated, town_ids
from reforms.models import Region, Town
from stats.models import PowerFigure
from stats.services import recompute_all

pytestmark = pytest.mark.django_db

# 广通's and Jining's document month, Dazhou's, and the current month.
PERIODS = [dt.date(2021, 12, 1), dt.date(2023, 11, 1), None]
STATES = ("running", "unused", "not_taken_over")


def statistics(kind, scope_id, period):
    rows = PowerFigure.objects.filter(scope_kind=kind, scope_id=scope_id, period=period)
    totals = rows.aggregate(delegated=Sum("delegated"), **{s: Sum(s) for s in STATES})
    return {k: v or 0 for k, v in totals.items()}


def recomputed(scope, period):
    delegated = powers_delegated(town_ids(scope), period, "")
    return {"delegated": delegated.value if delegated else 0, **power_split(scope, period)}


def assert_statistics_equal_raw_rows(period):
    recompute_all(as_of=period, triggered_by="manual", analyse=False)
    scopes = [(t.pk, "town", t) for t in Town.objects.all()]
    scopes += [(r.pk, r.level, r) for r in Region.objects.all()]
    for scope_id, kind, scope in scopes:
        assert statistics(kind, scope_id, period) == recomputed(scope, period), (scope.name, period)


@pytest.mark.parametrize("period", PERIODS, ids=["2021-12", "2023-11", "current"])
def test_power_figures_of_every_town_and_region_equal_the_raw_rows(demo, period):
    assert_statistics_equal_raw_rows(period or timezone.localdate().replace(day=1))


def test_power_figures_before_a_catalogue_was_issued_equal_the_raw_rows(demo):
    assert_statistics_equal_raw_rows(dt.date(2015, 12, 1))
