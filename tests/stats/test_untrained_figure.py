"""Issue 17 item 3: "powers not taken over with no training in the last 12 months" is a figure of the
statistics, read on the region and town dashboards and in the statistics API at any month."""

import datetime as dt
import re

import pytest
from django.test import Client

from core.services import record_create
from delegation.models import Training, TrainingCoverage
from stats.services import recompute_history
from tests.factories import DelegatedPowerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
LABEL = "未承接且近12个月未培训"


@pytest.fixture
def ledger():
    """Two powers delegated in January 2023: one trained in April 2024, one taken over in June 2024."""
    trained = DelegatedPowerFactory(
        delegated_on=D(2023, 1, 1), take_over_status="not_taken_over", take_over_on=None,
        not_taken_over_cause="no_trained_staff",
    )  # fmt: skip
    taken_later = DelegatedPowerFactory(town=trained.town, delegated_on=D(2023, 1, 1), take_over_on=D(2024, 6, 15))
    editor = UserFactory(region=trained.town.county)
    training = record_create(
        Training,
        user=editor,
        data={
            "town": trained.town,
            "department": DepartmentFactory(county=trained.town.county),
            "held_on": D(2024, 4, 10),
            "topic": "燃气经营许可审批培训",
            "attendees": 5,
        },
    )
    record_create(TrainingCoverage, user=editor, data={"training": training, "power": trained})
    recompute_history(D(2024, 3, 1), D(2024, 7, 1), today=D(2024, 7, 15))
    return trained.town, taken_later


def _client(town):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role="reviewer", region=town.county))
    return client


def _figure(html):
    table = html.split('class="table compact details"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<th scope="row">{LABEL}</th><td class="num">(.*?)</td>', table, re.S)
    return re.sub(r"<[^>]+>", "", row.group(1)).strip()


@pytest.mark.parametrize(("period", "expected"), [("2024-03", "2"), ("2024-04", "1"), ("2024-07", "0")])
def test_town_and_region_dashboards_count_untrained_powers_at_the_month(ledger, period, expected):
    """March: neither trained nor taken over; April: one trained; July: the other taken over in June."""
    town, _taken_later = ledger
    client = _client(town)
    assert _figure(client.get(f"/dashboard/town/{town.code}/", {"period": period}).content.decode()) == expected
    region = client.get(f"/dashboard/region/{town.county.code}/", {"period": period}).content.decode()
    assert _figure(region) == expected


def test_the_figure_links_to_the_powers_it_counts_at_that_month(ledger):
    town, taken_later = ledger
    client = _client(town)
    html = client.get(f"/dashboard/town/{town.code}/", {"period": "2024-04"}).content.decode()
    href = re.search(rf'<th scope="row">{LABEL}</th><td class="num"><a href="([^"]+)"', html).group(1)
    listed = client.get(href.replace("&amp;", "&")).content.decode()
    assert taken_later.item.name in listed


def test_the_statistics_api_gives_the_figure_at_any_month(ledger):
    town, _taken_later = ledger
    client = _client(town)
    for period, expected in (("2024-03", 2), ("2024-05", 1), ("2024-07", 0)):
        rows = client.get("/api/v1/stats/figures/", {"town": town.code, "metric": "untrained", "period": period})
        assert rows.status_code == 200, rows.content
        values = [row["value"] for row in rows.json()["results"] if row["scope_kind"] == "town"]
        assert values == [expected], period
