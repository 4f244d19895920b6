"""A ledger export is a spreadsheet a clerk can use: every column, codes and derived state, formats,
a frozen header; the catalogue and case-count exports import again without changing anything."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from delegation import importing
from tests.factories import DelegatedPowerFactory, MonthlyCaseCountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def power():
    return DelegatedPowerFactory(item__name="食品经营许可", item__implementation_code="371581109000010001")


@pytest.fixture
def clerk(client, power):
    user = UserFactory(region=power.town.county)
    client.force_login(user)
    return user


def export(client, name, **query):
    response = client.get(reverse(name, args=["xlsx"]), query)
    assert response.status_code == 200
    return response.content


def rows_of(content, columns):
    return importing.read_table(SimpleUploadedFile("export.xlsx", content), columns)


def test_power_export_carries_codes_and_derived_state_in_a_usable_sheet(client, clerk, power):
    sheet = load_workbook(io.BytesIO(export(client, "delegation:powers_export"))).active
    header = [c.value for c in sheet[1]]
    for wanted in ("镇代码", "实施编码", "放权部门", "权力类型", "承接状态", "运行状态"):
        assert wanted in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["实施编码"] == "371581109000010001"
    assert row["镇代码"] == power.town.code
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 8


def test_catalogue_export_imports_again_unchanged(client, clerk, power):
    DelegatedPowerFactory(
        town=power.town, catalogue=power.catalogue, item__source_department=power.item.source_department
    )
    content = export(client, "delegation:powers_export", town=power.town.code)
    rows = rows_of(content, importing.CATALOGUE_COLUMNS)
    result = importing.catalogue_import(user=clerk, catalogue=power.catalogue, town=power.town, rows=rows, dry_run=True)
    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_case_count_export_imports_again_unchanged(client, clerk, power):
    MonthlyCaseCountFactory(power=power)
    content = export(client, "delegation:case-counts_export")
    rows = rows_of(content, importing.CASE_COUNT_COLUMNS)
    result = importing.case_count_import(user=clerk, rows=rows, dry_run=True)
    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
