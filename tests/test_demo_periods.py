"""The documents' figures hold at their periods whatever day the demo is loaded, and the present goes on.

The demo is loaded with the clock moved 6 and 18 months ahead of the real day: a figure that drifted
with the loading day (case counts dated relative to it) would fail here.
"""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from delegation.models import DelegatedPower, MonthlyCaseCount
from delegation.selectors import derived_state_counts
from demo.loader import load_demo
from reforms.models import ReportedFigure

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=[6, 18], ids=["6-months-ahead", "18-months-ahead"])
def later(request, django_db_setup, django_db_blocker):
    """The demo loaded once per clock, and the tests run, with the clock ``param`` months ahead.

    Loaded in a transaction rolled back after the module's tests: loading takes tens of seconds.
    """
    when = timezone.now() + dt.timedelta(days=round(30.44 * request.param))
    with django_db_blocker.unblock(), time_machine.travel(when, tick=False), transaction.atomic():
        load_demo()
        yield timezone.localdate()
        transaction.set_rollback(True)


def test_dongying_split_is_179_155_67_at_its_period(later):
    powers = DelegatedPower.objects.filter(town__county__parent__code="370500")
    split = derived_state_counts(powers, as_of=dt.date(2015, 12, 1))
    assert split == {"running": 179, "unused": 155, "not_taken_over": 67}


def test_dongying_split_continues_to_the_present(later):
    powers = DelegatedPower.objects.filter(town__county__parent__code="370500")
    assert derived_state_counts(powers, as_of=later) == {"running": 179, "unused": 155, "not_taken_over": 67}


def test_guangtong_handled_12014_cases_by_december_2021_and_its_powers_run_then(later):
    approval = DelegatedPower.objects.filter(town__code="532311102000", item__type_code__in=["01", "20"])
    cases = MonthlyCaseCount.objects.filter(power__in=approval, month__lte=dt.date(2021, 12, 1))
    assert cases.aggregate(n=Sum("accepted"))["n"] == 12014
    assert derived_state_counts(approval, as_of=dt.date(2021, 12, 1))["running"] == 104


def test_guangtong_runs_today_too(later):
    powers = DelegatedPower.objects.filter(town__code="532311102000")
    assert derived_state_counts(powers, as_of=later)["running"] > 0


def test_yandian_catalogue_is_35_91_1_1_at_its_period(later):
    powers = DelegatedPower.objects.filter(town__code="371581109000", delegated_on__lte=dt.date(2019, 4, 30))
    assert dict(powers.values_list("item__type_code").annotate(n=Count("pk"))) == {"01": 35, "02": 91, "07": 1, "05": 1}


def test_cases_of_the_living_ledger_are_marked_generated(later):
    last_month = (later.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    recent = MonthlyCaseCount.objects.filter(month=last_month)
    assert recent.exists()
    assert not recent.filter(is_generated=False).exists()


def test_every_document_figure_the_ledger_holds_equals_it_at_its_period(later):
    """Through the documents page a reviewer opens: only the matched funds' lower bound is not reached."""
    from tests.dashboard.test_document_check import DIFFERS, PAGE, client_for, rows

    page = rows(client_for("admin").get(PAGE).content.decode())
    held = ReportedFigure.objects.exclude(measure="").select_related("region", "town")
    assert held.count() > 40
    for figure in held:
        row = page[(figure.town.name if figure.town else figure.region.name, figure.label)]
        assert row["status"] == ("differs" if figure.label in DIFFERS else "equal"), (figure.label, row)
