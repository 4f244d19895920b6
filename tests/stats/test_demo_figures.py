"""On the demo data, the summary tables reproduce the documents' figures."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from delegation.models import DelegatedPower
from delegation.selectors import derived_state_counts
from reforms.models import Region, Town
from stats.models import Figure, Metric, PowerFigure, ScopeKind
from stats.selectors import latest_period, power_totals

pytestmark = pytest.mark.django_db

GUANGTONG = "532311102000"
YANDIAN = "371581109000"


def _latest():
    """The latest month's rows: the demo holds every month since the reform start."""
    return {"period": latest_period()}


def _city(code):
    return PowerFigure.objects.filter(scope_kind=ScopeKind.CITY, scope_id=Region.objects.get(code=code).pk, **_latest())


def test_dongying_split_is_401_delegated_179_running_155_unused_67_not_taken_over(demo):
    totals = power_totals(_city("370500"))
    assert (totals["delegated"], totals["running"], totals["unused"], totals["not_taken_over"]) == (401, 179, 155, 67)
    shares = (totals["running_share"], totals["unused_share"], totals["not_taken_over_share"])
    assert shares == (Decimal("44.6"), Decimal("38.7"), Decimal("16.7"))


def test_every_scope_level_adds_up_to_the_same_dongying_total(demo):
    dongying = Region.objects.get(code="370500")
    latest = PowerFigure.objects.filter(**_latest())
    counties = latest.filter(scope_kind=ScopeKind.COUNTY, region__parent=dongying)
    towns = latest.filter(scope_kind=ScopeKind.TOWN, town__county__parent=dongying)
    province = latest.filter(scope_kind=ScopeKind.PROVINCE, scope_id=dongying.parent_id)
    assert counties.aggregate(n=Sum("delegated"))["n"] == towns.aggregate(n=Sum("delegated"))["n"] == 401
    assert province.aggregate(n=Sum("delegated"))["n"] > 401  # Shandong also holds Liaocheng's towns


def test_town_rows_agree_with_the_derived_state_selector_for_every_town(demo):
    for town in Town.objects.all():
        expected = derived_state_counts(DelegatedPower.objects.filter(town=town))
        totals = power_totals(PowerFigure.objects.filter(scope_kind=ScopeKind.TOWN, scope_id=town.pk, **_latest()))
        assert {k: totals[k] for k in expected} == expected, town.name


def test_yandian_powers_by_type_are_35_licences_91_penalties_1_confirmation_1_payment(demo):
    rows = PowerFigure.objects.filter(scope_kind=ScopeKind.TOWN, town__code=YANDIAN, **_latest())
    by_type = dict(rows.values_list("power_type").annotate(n=Sum("delegated")))
    assert by_type == {"01": 35, "02": 91, "07": 1, "05": 1}


def test_guangtong_promised_incentive_shows_nothing_paid_and_all_in_arrears(demo):
    rows = Figure.objects.filter(scope_kind=ScopeKind.TOWN, town__code=GUANGTONG, key="incentive", **_latest())
    values = dict(rows.values_list("metric", "value"))
    assert values[Metric.FISCAL_PAID] == 0
    assert values[Metric.FISCAL_PROMISED] == Decimal("15000000.00")
    assert values[Metric.FISCAL_ARREARS] == Decimal("15000000.00")


def test_guangtong_headcount_figures_are_38_administrative_70_institutional_and_11_leadership_apart(demo):
    rows = Figure.objects.filter(scope_kind=ScopeKind.TOWN, town__code=GUANGTONG, **_latest())
    assert dict(rows.filter(metric=Metric.APPROVED).values_list("key", "value")) == {
        "administrative": 38,
        "institutional": 70,
    }
    assert dict(rows.filter(metric=Metric.LEADERSHIP).values_list("key", "value")) == {"leadership": 11}


def test_programme_rows_sum_their_member_towns(demo):
    from reforms.models import ProgrammeMembership

    membership = ProgrammeMembership.objects.select_related("programme").first()
    programme = membership.programme
    towns = programme.towns.values_list("pk", flat=True)
    latest = PowerFigure.objects.filter(**_latest())
    expected = latest.filter(scope_kind=ScopeKind.TOWN, scope_id__in=towns).aggregate(n=Sum("delegated"))
    rows = latest.filter(scope_kind=ScopeKind.PROGRAMME, scope_id=programme.pk)
    assert rows.aggregate(n=Sum("delegated")) == expected
    assert expected["n"] > 0
