"""Export of a filtered list to CSV and XLSX, with formula-like cells neutralised."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.export import neutralise
from tests.factories import DelegatedPowerFactory, SecondmentFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return TownFactory()


@pytest.fixture
def editor(client, town):
    user = UserFactory(region=town.county)
    client.force_login(user)
    return user


def test_csv_export_follows_the_filter(client, editor, town):
    kept = DelegatedPowerFactory(town=town, take_over_status="taken_over")
    dropped = DelegatedPowerFactory(town=town, catalogue=kept.catalogue, take_over_status="pending", take_over_on=None)
    response = client.get(reverse("delegation:powers_export", args=["csv"]), {"take_over_status": "taken_over"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["镇代码", "镇", "放权部门", "事项名称"]
    assert [r[3] for r in rows[1:]] == [kept.item.name]
    assert dropped.item.name not in text
    assert "attachment" in response["Content-Disposition"]


def test_xlsx_export_keeps_numbers_and_neutralises_formulas(client, editor, town):
    SecondmentFactory(town=town, borrowing_unit='=HYPERLINK("http://x")')
    response = client.get(reverse("staffing:secondments_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "借调单位"
    assert rows[1][2] == '\'=HYPERLINK("http://x")'


def test_export_shows_nothing_outside_scope(client, editor):
    foreign = SecondmentFactory(town__county__code="371522", town__county__name="莘县")
    text = client.get(reverse("staffing:secondments_export", args=["csv"])).content.decode("utf-8-sig")
    assert foreign.staff_reference not in text


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_formula_prefixes_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_numbers_are_not_touched():
    assert neutralise(-5) == -5


def test_unknown_format_is_404(client, editor):
    assert client.get(reverse("staffing:secondments_export", args=["pdf"])).status_code == 404
