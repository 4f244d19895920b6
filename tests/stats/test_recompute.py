"""Recompute runs: idempotent, recorded, per town after an edit, alerts that open and close."""

import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.services import record_update
from delegation.models import DelegatedPower
from reforms.models import AssessmentScheme, ProgrammeMembership, ReformTask, Region, Town
from stats import figures, partitions, services, town_runs
from stats.alerts import RULES, found_rows
from stats.models import (
    Alert,
    AlertRule,
    Figure,
    PendingRecompute,
    PowerFigure,
    RecomputeRun,
    ScopeKind,
    TownPowerTotal,
)
from stats.selectors import power_totals

pytestmark = pytest.mark.django_db


def _now():
    """The current month's rows: the months before it are history, which these runs leave alone."""
    return {"period": timezone.localdate().replace(day=1)}


def _tables():
    """Every summary row and town total of the current month and every alert, without ids and timestamps."""
    power = sorted(PowerFigure.objects.filter(**_now()).values_list(*[f.attname for f in PowerFigure._meta.fields][1:]))
    figures = Figure.objects.filter(**_now()).values_list(*[f.attname for f in Figure._meta.fields][1:])
    figures = sorted(map(repr, figures))
    alerts = sorted(map(repr, Alert.objects.values_list("rule", "subject_type", "subject_id", "key", "is_open")))
    totals = TownPowerTotal.objects.filter(**_now()).values_list(*[f.attname for f in TownPowerTotal._meta.fields][1:])
    totals = sorted(totals)
    return power, figures, alerts, totals


def _dongying():
    city = Region.objects.get(code="370500")
    return power_totals(PowerFigure.objects.filter(scope_kind=ScopeKind.CITY, scope_id=city.pk, **_now()))


def test_recomputing_twice_gives_identical_tables(demo):
    services.recompute_all()
    before = _tables()
    services.recompute_all()
    assert _tables() == before
    assert before[0]


def test_every_run_is_recorded_with_its_rows_and_outcome(demo):
    services.recompute_all()
    run = services.recompute_all(triggered_by="test")
    run.refresh_from_db()
    assert run.outcome == RecomputeRun.Outcome.SUCCESS
    assert run.rows_written == 0  # nothing changed since the last run, so nothing was written
    assert run.finished_at >= run.started_at


def test_a_full_run_writes_only_what_changed_and_ends_as_a_fresh_build_would(demo):
    services.recompute_all()
    power = DelegatedPower.objects.filter(town__code="371581109000").select_related("item").first()
    # Every power of one type and mode in the town goes: its key vanishes from the town's rows.
    DelegatedPower.objects.filter(town=power.town, item__type_code=power.item.type_code, mode=power.mode).delete()
    run = services.recompute_all()
    assert 0 < run.rows_written < 50
    assert not PowerFigure.objects.filter(
        scope_kind=ScopeKind.TOWN, scope_id=power.town_id, power_type=power.item.type_code, mode=power.mode, **_now()
    ).exists()
    merged = _tables()
    PowerFigure.objects.filter(**_now()).delete()
    Figure.objects.filter(**_now()).delete()
    services.recompute_all()
    assert _tables() == merged


def test_a_failed_run_is_recorded_and_leaves_the_tables_as_they_were(demo):
    before = _tables()
    with mock.patch("stats.figures.roll_up", side_effect=RuntimeError("disk full")), pytest.raises(RuntimeError):
        services.recompute_all(triggered_by="test")
    run = RecomputeRun.objects.order_by("-pk").first()
    assert run.outcome == RecomputeRun.Outcome.FAILED
    assert "disk full" in run.error
    assert _tables() == before


def test_editing_a_power_recomputes_its_town_and_roll_ups_after_commit(
    demo, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    power = DelegatedPower.objects.filter(
        town__county__parent__code="370500", take_over_status=DelegatedPower.TakeOverStatus.NOT_TAKEN_OVER
    ).first()
    with django_capture_on_commit_callbacks(execute=True):
        data = {
            "take_over_status": "taken_over",
            "take_over_on": power.delegated_on,
            "receiving_organ": power.town.organs.first(),
        }
        record_update(power, user=admin_user, data=data)
    totals = _dongying()
    assert (totals["delegated"], totals["not_taken_over"]) == (401, 66)
    assert totals["running"] + totals["unused"] == 335
    run = RecomputeRun.objects.order_by("-pk").first()
    assert run.scope.startswith("towns:")
    assert run.outcome == RecomputeRun.Outcome.SUCCESS
    assert not PendingRecompute.objects.exists()


def test_a_town_recompute_gives_the_same_rows_as_a_full_one(demo):
    power = DelegatedPower.objects.filter(town__code="371581109000").first()
    DelegatedPower.objects.filter(pk=power.pk).update(
        take_over_status="not_taken_over", not_taken_over_cause="other", not_taken_over_reason="x"
    )
    services.recompute_town(power.town_id)
    after_town = _tables()
    services.recompute_all()
    assert _tables() == after_town


def _only_added():
    """On PostgreSQL a town's run must add its change, not re-sum the scopes above it (SQLite re-sums)."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return mock.patch.object(town_runs, "_resum_statements", side_effect=AssertionError("re-summed"))


def test_a_town_run_moves_a_town_out_of_its_programme_and_drops_emptied_keys_as_a_full_run_would(demo):
    services.recompute_all()
    membership = ProgrammeMembership.objects.select_related("town").first()
    town = membership.town
    ProgrammeMembership.objects.filter(pk=membership.pk).update(left_on=timezone.localdate() - dt.timedelta(days=1))
    power = DelegatedPower.objects.filter(town=town).select_related("item").first()
    DelegatedPower.objects.filter(town=town, item__type_code=power.item.type_code, mode=power.mode).delete()
    ReformTask.objects.filter(plan__town=town).update(status=ReformTask.Status.DONE, completed_on=timezone.localdate())
    pilots = Figure.objects.filter(
        scope_kind=ScopeKind.PROGRAMME, scope_id=membership.programme_id, metric="pilot_towns", **_now()
    )
    before = pilots.get(key=str(membership.programme_id)).value

    with _only_added():
        services.recompute_town(town.pk)
    after_town = _tables()
    services.recompute_all()
    assert _tables() == after_town
    assert pilots.get(key=str(membership.programme_id)).value == before - 1
    assert not Figure.objects.filter(
        scope_kind=ScopeKind.TOWN, scope_id=town.pk, metric="pilot_towns", **_now()
    ).exists()


def test_a_town_run_re_sums_rows_written_before_towns_were_counted(demo):
    services.recompute_all()
    fresh = _tables()
    PowerFigure.objects.filter(**_now()).update(towns=0)
    Figure.objects.filter(**_now()).update(towns=0)
    town = Town.objects.get(code="371581109000")
    with mock.patch.object(town_runs, "_add_statements", side_effect=AssertionError("added to uncounted rows")):
        services.recompute_town(town.pk)
    county = PowerFigure.objects.filter(scope_kind=ScopeKind.COUNTY, scope_id=town.county_id, **_now())
    assert county.exists()
    assert all(row.towns > 0 for row in county)
    services.recompute_all()
    assert _tables() == fresh


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the additive run is PostgreSQL's")
def test_a_town_run_re_sums_when_a_row_above_disagrees_with_its_towns(demo):
    services.recompute_all()
    town = Town.objects.get(code="371581109000")
    # The county's rows are gone (a damaged table): the town's change cannot be added to them.
    PowerFigure.objects.filter(scope_kind=ScopeKind.COUNTY, scope_id=town.county_id, **_now()).delete()
    DelegatedPower.objects.filter(town=town, take_over_status="taken_over").update(
        take_over_status="not_taken_over", not_taken_over_cause="other", not_taken_over_reason="x"
    )
    services.recompute_town(town.pk)
    after_town = _tables()
    services.recompute_all()
    assert _tables() == after_town


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the summary tables are partitioned on PostgreSQL")
def test_the_first_run_of_a_month_attaches_its_rows_as_the_months_partition(demo):
    services.recompute_all()
    before = _tables()
    period = timezone.localdate().replace(day=1)
    with connection.cursor() as cursor:
        for model, _dims, _measures in figures.TABLES:
            cursor.execute(f"DROP TABLE {partitions.name(model, period)}")
    assert not PowerFigure.objects.filter(period=period).exists()
    assert partitions.missing(period) == [model for model, _d, _m in figures.TABLES]

    run = services.recompute_all()
    assert _tables() == before
    assert run.rows_written == len(before[0]) + len(before[1])
    assert partitions.missing(period) == []
    # A town's run then writes into the new partition as into any month.
    town = Town.objects.get(code="371581109000")
    services.recompute_town(town.pk)
    services.recompute_all()
    assert _tables() == before


def test_a_scheme_under_its_minimum_town_weight_raises_an_alert_that_closes_when_fixed(demo, admin_user):
    scheme = AssessmentScheme.objects.get(name="济宁市县直部门考核(镇街评价)")
    record_update(scheme, user=admin_user, data={"town_weight": 25, "county_weight": 75})
    services.recompute_all()
    alert = Alert.objects.get(rule=AlertRule.TOWN_WEIGHT_LOW, subject_id=scheme.pk, is_open=True)
    expected = "考核方案“济宁市县直部门考核(镇街评价)”的镇级权重 25% 低于规定下限 30%。"
    assert alert.message_in("zh-hans") == expected

    record_update(scheme, user=admin_user, data={"town_weight": 30, "county_weight": 70})
    services.recompute_all()
    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.closed_at is not None


def test_open_alerts_cover_every_kind_of_breach_in_the_demo(demo):
    rules = set(Alert.objects.filter(is_open=True).values_list("rule", flat=True))
    assert {AlertRule.FISCAL_UNPAID, AlertRule.PAPER_ONLY, AlertRule.TASK_OVERDUE, AlertRule.OVERSTAFFED} <= rules
    guangtong = Town.objects.get(code="532311102000")
    unpaid = Alert.objects.filter(rule=AlertRule.FISCAL_UNPAID, town=guangtong, is_open=True)
    assert unpaid.count() == 5  # the incentive, 2017-2021


def test_every_rule_finds_for_a_few_towns_what_it_finds_for_them_among_all(demo):
    # A town's run may read the rules' SQL compiled for other towns' ids (alerts.found_select): each rule
    # must still find exactly the breaches of the towns asked for, in two calls for different towns.
    today = timezone.localdate()
    towns = list(Alert.objects.filter(is_open=True, town__isnull=False).values_list("town_id", flat=True).distinct())
    assert len(towns) >= 3
    for rule in RULES:
        everywhere = found_rows(today, None, [rule])
        for ids in (towns[:1], towns[1:2], towns[:3]):
            expected = sorted(repr(b) for b in everywhere if b["town_id"] in ids)
            assert sorted(repr(b) for b in found_rows(today, ids, [rule])) == expected, rule.__name__


def test_the_command_recomputes_one_town_by_code_and_refuses_an_unknown_code(demo):
    call_command("recompute_stats", "--town", "371581109000", stdout=mock.MagicMock())
    assert RecomputeRun.objects.order_by("-pk").first().scope == "371581109000"
    with pytest.raises(CommandError, match="999999999000"):
        call_command("recompute_stats", "--town", "999999999000")
