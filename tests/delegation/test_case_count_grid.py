"""A county clerk enters a town's year of case counts in one grid: a row per power in force, a cell per month."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from core.signals import town_touched
from delegation.models import MonthlyCaseCount
from tests.factories import (
    DelegatedPowerFactory,
    DelegationCatalogueFactory,
    DepartmentFactory,
    MonthlyCaseCountFactory,
    OrganFactory,
    TownFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2025


def make_powers(town, n):
    catalogue = DelegationCatalogueFactory(county=town.county, town=None)
    department = DepartmentFactory(county=town.county)
    organ = OrganFactory(town=town)
    return [
        DelegatedPowerFactory(town=town, catalogue=catalogue, item__source_department=department, receiving_organ=organ)
        for _ in range(n)
    ]


@pytest.fixture
def town():
    return TownFactory()


@pytest.fixture
def clerk(client, town):
    user = UserFactory(region=town.county)
    client.force_login(user)
    return user


def url(town, year=YEAR):
    return f"{reverse('delegation:case-counts_grid', args=[town.pk])}?year={year}"


def row_data(power, months, versions=None, **cells):
    """The POST of one grid row: ``cells`` maps m<month> to (accepted, closed)."""
    data = {f"r{power.pk}-v": ",".join((versions or {}).get(m, "") for m in range(1, 13))}
    for month in months:
        accepted, closed = cells.get(f"m{month}", ("", ""))
        data[f"r{power.pk}-m{month}-accepted"] = accepted
        data[f"r{power.pk}-m{month}-closed"] = closed
    return data


def test_grid_lists_the_towns_powers_in_force_with_name_and_code(client, clerk, town):
    kept, withdrawn = make_powers(town, 2)
    withdrawn.withdrawn_on, withdrawn.withdrawal_reason = dt.date(2024, 7, 1), "调整"
    withdrawn.save()
    later = make_powers(town, 1)[0]
    later.delegated_on = later.take_over_on = dt.date(YEAR, 4, 10)
    later.save()
    page = client.get(url(town)).content.decode()
    assert kept.item.name in page
    assert kept.item.implementation_code in page
    assert withdrawn.item.name not in page
    # Months before the power was delegated take no counts.
    assert f'name="r{later.pk}-m3-accepted"' not in page
    assert f'name="r{later.pk}-m4-accepted"' in page
    assert "2025年1月" in page


def test_a_row_saves_its_months_with_an_audit_entry_each(client, clerk, town):
    power = make_powers(town, 1)[0]
    data = row_data(power, range(1, 13), m1=("12", "10"), m2=("3", ""))
    response = client.post(url(town), data)
    assert response.status_code == 302
    rows = MonthlyCaseCount.objects.order_by("month")
    assert [(r.month.month, r.accepted, r.closed) for r in rows] == [(1, 12, 10), (2, 3, 0)]
    assert AuditEntry.objects.filter(action="create").count() == 2
    page = client.get(response.url).content.decode()
    assert "已保存 1 行。" in page
    assert f'value="{rows[0].version},{rows[1].version},,' in page


def test_a_stale_cell_refuses_its_row_and_keeps_what_was_typed(client, clerk, town):
    power, other = make_powers(town, 2)
    saved = MonthlyCaseCountFactory(power=power, month=dt.date(YEAR, 3, 1), accepted=5, closed=4)
    read_version = str(saved.version)
    saved.accepted = 7  # someone else saves it after the grid was opened
    saved.save()
    data = {
        **row_data(power, range(1, 13), {3: read_version}, m2=("9", "9"), m3=("6", "4")),
        **row_data(other, range(1, 13), m5=("2", "1")),
    }
    response = client.post(url(town), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "该月已被他人修改(现为受理 7、办结 4),本行未保存" in page
    assert f'name="r{power.pk}-m2-accepted" value="9"' in page  # the typed value is kept
    saved.refresh_from_db()
    assert saved.accepted == 7
    # Nothing of the refused row is written; the other row is.
    assert not MonthlyCaseCount.objects.filter(power=power, month=dt.date(YEAR, 2, 1)).exists()
    assert MonthlyCaseCount.objects.get(power=other).accepted == 2


def test_a_bad_cell_is_named_at_that_cell(client, clerk, town):
    power = make_powers(town, 1)[0]
    response = client.post(url(town), row_data(power, range(1, 13), m1=("4", "4"), m6=("-3", "1")))
    assert response.status_code == 400
    page = response.content.decode()
    cell = page.split(f'name="r{power.pk}-m6-accepted"')[1].split("</td>")[0]
    assert "受理件数:不能为负数。" in cell
    assert f'name="r{power.pk}-m6-accepted" value="-3"' in page
    assert not MonthlyCaseCount.objects.exists()


def test_clearing_a_saved_month_is_refused(client, clerk, town):
    power = make_powers(town, 1)[0]
    saved = MonthlyCaseCountFactory(power=power, month=dt.date(YEAR, 1, 1))
    data = row_data(power, range(1, 13), {1: str(saved.version)}, m1=("", ""))
    page = client.post(url(town), data).content.decode()
    assert "该月已有记录,不能清空;没有办件请填 0。" in page
    assert MonthlyCaseCount.objects.filter(pk=saved.pk).exists()


def test_an_unchanged_grid_writes_nothing(client, clerk, town):
    power = make_powers(town, 1)[0]
    saved = MonthlyCaseCountFactory(power=power, month=dt.date(YEAR, 1, 1), accepted=5, closed=4)
    data = row_data(power, range(1, 13), {1: str(saved.version)}, m1=("5", "4"))
    client.post(url(town), data)
    saved.refresh_from_db()
    assert saved.version == 1
    assert not AuditEntry.objects.filter(action="update").exists()


def test_a_row_save_queues_one_recompute_of_the_town(client, clerk, town, django_capture_on_commit_callbacks):
    power = make_powers(town, 1)[0]
    sent = []
    town_touched.connect(lambda **kw: sent.append(kw["town_ids"]), weak=False, dispatch_uid="grid-test")
    try:
        data = row_data(power, range(1, 13), m1=("1", "1"), m2=("2", "2"), m3=("3", "3"))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url(town), data)
    finally:
        town_touched.disconnect(dispatch_uid="grid-test")
    assert sent == [{town.pk}]


def _queries(client, method, *args):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(*args)
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_powers(client, clerk):
    small, large = TownFactory(county=clerk.region), TownFactory(county=clerk.region)
    few, many = make_powers(small, 5), make_powers(large, 50)
    for powers in (few, many):
        for power in powers:
            MonthlyCaseCountFactory(power=power, month=dt.date(YEAR, 2, 1))
    assert _queries(client, "get", url(small)) == _queries(client, "get", url(large))
    save_small = row_data(few[0], [1], m1=("1", "1"))
    save_large = row_data(many[0], [1], m1=("1", "1"))
    assert _queries(client, "post", url(small), save_small) == _queries(client, "post", url(large), save_large)


def test_another_countys_clerk_can_neither_open_nor_save(client, town):
    power = make_powers(town, 1)[0]
    client.force_login(UserFactory(region__code="371522", region__name="莘县"))
    assert client.get(url(town)).status_code == 404
    assert client.post(url(town), row_data(power, range(1, 13), m1=("1", "1"))).status_code == 404
    assert not MonthlyCaseCount.objects.exists()


def test_a_reviewer_who_sees_the_town_may_not_open_the_grid(client, town):
    client.force_login(UserFactory(role="reviewer", region=town.county))
    assert client.get(url(town)).status_code == 403


def test_town_page_and_case_count_list_link_the_grid(client, clerk, town):
    grid = reverse("delegation:case-counts_grid", args=[town.pk])
    assert grid in client.get(reverse("reforms:town_page", args=[town.pk])).content.decode()
    listing = client.get(reverse("delegation:case-counts_list")).content.decode()
    chooser = reverse("delegation:case-counts_grid_choose")
    assert chooser in listing
    assert grid in client.get(chooser).content.decode()


def test_a_month_inserted_after_the_check_refuses_the_row_not_a_server_error(client, clerk, town, monkeypatch):
    power = make_powers(town, 1)[0]
    original = MonthlyCaseCount.validate_constraints

    def insert_meanwhile(self, exclude=None):
        original(self, exclude=exclude)
        if self._state.adding and not MonthlyCaseCount.objects.filter(power=self.power, month=self.month).exists():
            MonthlyCaseCount.objects.create(power=self.power, month=self.month, accepted=1, closed=1)

    monkeypatch.setattr(MonthlyCaseCount, "validate_constraints", insert_meanwhile)
    response = client.post(url(town), row_data(power, [1], m1=("4", "4")))
    assert response.status_code == 400
    assert "该记录已被他人修改或删除。" in response.content.decode()
