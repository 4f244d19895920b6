"""A power's derived state reads the same in the powers list, the town's power figures and the paper-only alert."""

import datetime as dt

import pytest
from django.db.models import Sum

from stats import services
from stats.models import Alert, AlertRule, PowerFigure, ScopeKind
from tests.api.conftest import client_for
from tests.factories import DelegatedPowerFactory, MonthlyCaseCountFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 30)  # the activity window runs from 2024-07 to 2025-06
IN_WINDOW, BEFORE_WINDOW = dt.date(2025, 3, 1), dt.date(2024, 6, 1)


@pytest.fixture
def powers():
    """One town's powers, by the state each should read as on ``AS_OF``."""
    town = TownFactory()
    running = DelegatedPowerFactory(town=town)
    MonthlyCaseCountFactory(power=running, month=IN_WINDOW, accepted=2)
    # The town recorded only empty months while the county department still handles cases.
    paper_only = DelegatedPowerFactory(town=town)
    MonthlyCaseCountFactory(power=paper_only, month=IN_WINDOW, accepted=0, closed=0)
    MonthlyCaseCountFactory(power=paper_only, month=IN_WINDOW, handled_by="county_department", accepted=4, closed=4)
    stale = DelegatedPowerFactory(town=town)
    MonthlyCaseCountFactory(power=stale, month=BEFORE_WINDOW, accepted=9)
    pending = DelegatedPowerFactory(town=town, take_over_status="pending", take_over_on=None)
    MonthlyCaseCountFactory(power=pending, month=IN_WINDOW, accepted=3)
    refused = DelegatedPowerFactory(
        town=town, take_over_status="not_taken_over", take_over_on=None, not_taken_over_cause="no_trained_staff"
    )
    # Recorded as taken over on a date still to come (the take-over planned for next month): not taken
    # over yet, though the department's cases meanwhile would make it look paper-only.
    scheduled = DelegatedPowerFactory(town=town, take_over_on=AS_OF + dt.timedelta(days=10))
    MonthlyCaseCountFactory(power=scheduled, month=IN_WINDOW, handled_by="county_department", accepted=5, closed=5)
    return (
        town,
        {
            "running": {running.pk},
            "unused": {paper_only.pk, stale.pk},
            "not_taken_over": {pending.pk, refused.pk, scheduled.pk},
        },
        paper_only,
    )


def test_the_list_filter_the_figures_and_the_alert_agree(powers):
    town, expected, paper_only = powers
    client = client_for(UserFactory(region=town.county))
    for state, ids in expected.items():
        query = {"derived_state": state, "state_as_of": AS_OF.isoformat(), "town": town.code}
        response = client.get("/api/v1/delegated-powers/", query)
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == ids, state

    services.recompute_town(town.pk, as_of=AS_OF)
    rows = PowerFigure.objects.filter(scope_kind=ScopeKind.TOWN, scope_id=town.pk, period=AS_OF.replace(day=1))
    sums = rows.aggregate(**{state: Sum(state) for state in expected})
    assert sums == {state: len(ids) for state, ids in expected.items()}
    alerts = Alert.objects.filter(rule=AlertRule.PAPER_ONLY, town=town, is_open=True)
    assert set(alerts.values_list("subject_id", flat=True)) == {paper_only.pk}
