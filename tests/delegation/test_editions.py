"""Catalogue editions: a power in force until withdrawn, an item listed again, the difference of two editions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from core.services import record_create
from delegation.models import DelegatedPower
from delegation.selectors import edition_diff
from delegation.services import power_withdraw
from stats import services as stats
from stats.models import PowerFigure, ScopeKind
from tests.api.conftest import client_for
from tests.factories import (
    DelegatedPowerFactory,
    DelegationCatalogueFactory,
    PowerItemFactory,
    TownFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
WITHDRAWN_ON = dt.date(2024, 1, 1)


@pytest.fixture
def town():
    return TownFactory()


@pytest.fixture
def editor(town):
    return UserFactory(region=town.county)


@pytest.fixture
def first(town):
    return DelegationCatalogueFactory(county=town.county, town=town, edition=1, issued_on=dt.date(2019, 4, 9))


@pytest.fixture
def second(town):
    return DelegationCatalogueFactory(
        county=town.county, town=town, edition=2, issued_on=WITHDRAWN_ON, title="2024年调整"
    )


def _power(town, catalogue, **fields):
    fields.setdefault("delegated_on", catalogue.issued_on)
    fields.setdefault("take_over_on", fields["delegated_on"])
    return DelegatedPowerFactory(town=town, catalogue=catalogue, **fields)


def _delegated(town, as_of):
    stats.recompute_town(town.pk, as_of=as_of)
    rows = PowerFigure.objects.filter(scope_kind=ScopeKind.TOWN, scope_id=town.pk, period=as_of.replace(day=1))
    return rows.aggregate(n=Sum("delegated"), t=Sum("taken_over"))


def test_figures_count_a_withdrawn_power_before_its_withdrawal_only(town, editor, first, second):
    kept = _power(town, first)
    withdrawn = _power(town, first, item__source_department=kept.item.source_department)
    power_withdraw(user=editor, power=withdrawn, withdrawn_on=WITHDRAWN_ON, reason="不适合本镇", edition=second)
    assert _delegated(town, dt.date(2023, 12, 31)) == {"n": 2, "t": 2}
    assert _delegated(town, dt.date(2024, 1, 31)) == {"n": 1, "t": 1}


def test_a_power_delegated_later_is_not_counted_before(town, first):
    _power(town, first, delegated_on=dt.date(2020, 1, 1), take_over_on=dt.date(2020, 2, 1))
    assert _delegated(town, dt.date(2019, 12, 31))["n"] is None
    assert _delegated(town, dt.date(2020, 1, 31))["n"] == 1


def test_the_list_shows_powers_in_force_on_a_date(town, editor, first, second):
    withdrawn = _power(town, first)
    power_withdraw(user=editor, power=withdrawn, withdrawn_on=WITHDRAWN_ON, reason="不适合本镇", edition=second)
    client = client_for(editor)
    rows = client.get("/api/v1/delegated-powers/", {"in_force_on": "2023-12-31"}).json()["results"]
    assert [row["id"] for row in rows] == [withdrawn.pk]
    assert rows[0]["withdrawn_on"] == "2024-01-01"
    assert client.get("/api/v1/delegated-powers/", {"in_force_on": "2024-01-01"}).json()["results"] == []


def test_an_item_withdrawn_may_be_listed_again(town, editor, first, second):
    old = _power(town, first)
    power_withdraw(user=editor, power=old, withdrawn_on=WITHDRAWN_ON, reason="调整", edition=second)
    again = record_create(
        DelegatedPower,
        user=editor,
        data={"town": town, "catalogue": second, "item": old.item, "mode": "entrusted", "delegated_on": WITHDRAWN_ON},
    )
    assert DelegatedPower.objects.filter(town=town, item=old.item).count() == 2
    assert again.withdrawn_on is None


def test_an_item_in_force_cannot_be_listed_twice(town, editor, first, second):
    old = _power(town, first)
    with pytest.raises(ValidationError) as error:
        record_create(
            DelegatedPower,
            user=editor,
            data={"town": town, "catalogue": second, "item": old.item, "mode": "direct", "delegated_on": WITHDRAWN_ON},
        )
    assert "该事项已在本镇的放权目录中。" in str(error.value)


def test_listing_again_before_the_withdrawal_is_refused_at_the_date(town, editor, first, second):
    old = _power(town, first)
    power_withdraw(user=editor, power=old, withdrawn_on=dt.date(2024, 6, 1), reason="调整", edition=second)
    with pytest.raises(ValidationError) as error:
        record_create(
            DelegatedPower,
            user=editor,
            data={"town": town, "catalogue": second, "item": old.item, "mode": "direct", "delegated_on": WITHDRAWN_ON},
        )
    assert "delegated_on" in error.value.message_dict


def test_withdrawal_needs_a_reason_through_the_api(town, editor, first):
    power = _power(town, first)
    url = f"/api/v1/delegated-powers/{power.pk}/"
    response = client_for(editor).patch(url, {"withdrawn_on": "2024-01-01"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "withdrawal_reason" in response.json()["fields"]


def test_edition_diff_lists_added_withdrawn_and_changed(town, editor, first, second):
    kept = _power(town, first, item__name="食品经营许可")
    dropped = _power(town, first, item__name="广告违法处罚")
    moved = _power(town, first, item__name="道路占用许可", mode="direct")
    power_withdraw(user=editor, power=dropped, withdrawn_on=WITHDRAWN_ON, reason="收回县局", edition=second)
    power_withdraw(user=editor, power=moved, withdrawn_on=WITHDRAWN_ON, reason="下放方式调整", edition=second)
    _power(town, second, item=moved.item, mode="entrusted")
    added = _power(town, second, item=PowerItemFactory(name="燃气经营许可", source_department__county=town.county))
    diff = edition_diff(first, second, town)
    assert [p.item.name for p in diff.added] == [added.item.name]
    assert [p.item.name for p in diff.withdrawn] == ["广告违法处罚"]
    assert [(old.mode, new.mode) for old, new in diff.changed] == [("direct", "entrusted")]
    assert kept.item.name not in {p.item.name for p in diff.added + diff.withdrawn}


def test_town_editions_page_shows_the_difference(client, town, editor, first, second):
    dropped = _power(town, first, item__name="广告违法处罚")
    power_withdraw(user=editor, power=dropped, withdrawn_on=WITHDRAWN_ON, reason="收回县局", edition=second)
    client.force_login(editor)
    url = reverse("delegation:town_editions", args=[town.pk])
    page = client.get(url, {"older": first.pk, "newer": second.pk}).content.decode()
    assert "2024年调整" in page
    assert "收回" in page
    assert "广告违法处罚" in page
    assert "收回县局" in page


def test_api_diff_of_two_editions(town, editor, first, second):
    dropped = _power(town, first, item__name="广告违法处罚")
    power_withdraw(user=editor, power=dropped, withdrawn_on=WITHDRAWN_ON, reason="收回县局", edition=second)
    response = client_for(editor).get(f"/api/v1/catalogues/{second.pk}/diff/", {"against": first.pk, "town": town.code})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["item_name"] for row in body["withdrawn"]] == ["广告违法处罚"]
    assert body["added"] == []
    assert body["changed"] == []


def test_a_reviewer_reads_the_figures_before_and_after_a_withdrawal(town, editor, first, second):
    """What a reviewer reads for the months around a withdrawal: the dashboard and the statistics API."""
    _power(town, first)
    waiting = _power(town, first, take_over_status="not_taken_over", take_over_on=None, not_taken_over_cause="other",
                     not_taken_over_reason="缺少场地")  # fmt: skip
    power_withdraw(user=editor, power=waiting, withdrawn_on=WITHDRAWN_ON, reason="收回县局", edition=second)
    stats.recompute_history(dt.date(2023, 12, 1), dt.date(2024, 1, 1), today=dt.date(2024, 2, 15))
    reviewer = UserFactory(role="reviewer", region=town.county)
    api = client_for(reviewer)
    for period, delegated, untrained in (("2023-12", 2, 1), ("2024-01", 1, 0)):
        summary = api.get("/api/v1/stats/power-figures/summary/", {"town": town.code, "period": period}).json()
        assert (summary["delegated"], summary["not_taken_over"]) == (delegated, delegated - 1), period
        rows = api.get("/api/v1/stats/figures/", {"town": town.code, "metric": "untrained", "period": period})
        assert [r["value"] for r in rows.json()["results"] if r["scope_kind"] == "town"] == [untrained], period


def test_an_item_withdrawn_is_listed_again_through_the_api(town, editor, first, second):
    old = _power(town, first)
    power_withdraw(user=editor, power=old, withdrawn_on=WITHDRAWN_ON, reason="调整", edition=second)
    body = {"town": town.pk, "catalogue": second.pk, "item": old.item.pk, "mode": "entrusted",
            "delegated_on": "2024-01-01", "take_over_status": "pending"}  # fmt: skip
    response = client_for(editor).post("/api/v1/delegated-powers/", body, format="json")
    assert response.status_code == 201, response.content
    listed = client_for(editor).get("/api/v1/delegated-powers/", {"in_force_on": "2024-01-01"}).json()["results"]
    assert [(row["item"], row["mode"]) for row in listed] == [(old.item.pk, "entrusted")]
