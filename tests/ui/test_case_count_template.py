"""The case-count template for a town lists its powers and the months to fill, and reads back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from delegation import importing
from delegation.models import MonthlyCaseCount
from tests.factories import CountyFactory, DelegatedPowerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory(item__name="食品经营许可", item__implementation_code="371581109000010001")


@pytest.fixture
def clerk(client, power):
    user = UserFactory(region=power.town.county)
    client.force_login(user)
    return user


def template(client, power):
    url = reverse("delegation:import_template", args=["case_counts"])
    response = client.get(url, {"town": power.town.code, "year": "2025"})
    assert response.status_code == 200
    return response.content


def test_town_template_lists_each_power_for_each_month(client, clerk, power):
    sheet = load_workbook(io.BytesIO(template(client, power))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("镇代码", "实施编码", "月份", "办理主体")
    assert "事项名称" in rows[0]
    assert len(rows) == 1 + 12
    assert rows[1][:3] == (power.town.code, "371581109000010001", "2025-01")
    assert rows[12][2] == "2025-12"
    assert "食品经营许可" in rows[1]


def test_template_returned_as_given_writes_nothing_and_refuses_nothing(client, clerk, power):
    upload = SimpleUploadedFile("t.xlsx", template(client, power))
    result = importing.case_count_import(user=clerk, rows=importing.read_table(upload, importing.CASE_COUNT_COLUMNS))
    assert result.problems == []
    assert MonthlyCaseCount.objects.count() == 0


def test_filled_rows_of_the_template_are_written(client, clerk, power):
    workbook = load_workbook(io.BytesIO(template(client, power)))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("受理件数") + 1, value=7)
    sheet.cell(row=2, column=header.index("办结件数") + 1, value=6)
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = importing.read_table(SimpleUploadedFile("t.xlsx", buffer.getvalue()), importing.CASE_COUNT_COLUMNS)
    result = importing.case_count_import(user=clerk, rows=rows)
    assert result.problems == []
    assert result.created == 1
    count = MonthlyCaseCount.objects.get()
    assert (count.power, count.month.isoformat(), count.accepted, count.closed) == (power, "2025-01-01", 7, 6)


def test_another_countys_town_gets_404(client, power):
    client.force_login(UserFactory(region=CountyFactory(code="371522", name="莘县")))
    url = reverse("delegation:import_template", args=["case_counts"])
    assert client.get(url, {"town": power.town.code, "year": "2025"}).status_code == 404


def test_import_page_offers_each_towns_template(client, clerk, power):
    page = client.get(reverse("delegation:case_count_import")).content.decode()
    assert f'<option value="{power.town.code}">' in page
