"""Malformed and malicious spreadsheets: each gets a clear error and writes nothing; parsers fuzzed."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from delegation import importing
from delegation.models import DelegatedPower, MonthlyCaseCount, PowerItem
from tests.factories import DelegationCatalogueFactory, TownFactory, UserFactory
from tests.ui.test_import import GOOD, HEADERS, xlsx

COLUMNS = importing.CATALOGUE_COLUMNS


def read(name, data):
    return importing.read_table(SimpleUploadedFile(name, data), COLUMNS)


def _workbook_bytes(fill):
    workbook = Workbook()
    fill(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (importing.MAX_UNCOMPRESSED_BYTES + 1))
    assert len(buffer.getvalue()) < importing.MAX_UPLOAD_BYTES
    with pytest.raises(importing.ImportFileError, match="解压后过大"):
        read("bomb.xlsx", buffer.getvalue())


def test_damaged_sheet_xml_is_a_clear_error():
    good = xlsx(GOOD).read()
    source, damaged = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]  # cut the sheet's XML in the middle
            target.writestr(item, content)
    with pytest.raises(importing.ImportFileError, match="无法读取该 Excel 文件"):
        read("cut.xlsx", damaged.getvalue())


def test_formulas_are_not_evaluated_nor_imported_as_formulas():
    def fill(sheet):
        sheet.append(HEADERS)
        sheet.append(["县市场监管局", '=HYPERLINK("http://evil","x")', "行政许可", "", "直接下放", "", ""])

    # No cached value (never opened in Excel): the formula's cell reads as empty, so the row lacks a name.
    table = read("formula.xlsx", _workbook_bytes(fill))
    assert table[0][1]["name"] == ""


def test_merged_cells_leave_the_covered_cells_empty():
    def fill(sheet):
        sheet.append(HEADERS)
        sheet.append(GOOD[0])
        sheet.append(["", *GOOD[1][1:]])
        sheet.merge_cells("A2:A3")

    table = read("merged.xlsx", _workbook_bytes(fill))
    assert [values["department"] for _n, values in table] == ["县市场监管局", ""]


def test_a_huge_sheet_of_blank_rows_stops_at_the_scan_limit(monkeypatch):
    monkeypatch.setattr(importing, "MAX_SCANNED_ROWS", 50)

    def fill(sheet):
        sheet.append(HEADERS)
        sheet.cell(row=5000, column=1, value="x")

    with pytest.raises(importing.ImportFileError, match="行数过多"):
        read("huge.xlsx", _workbook_bytes(fill))


def test_a_csv_in_an_unknown_binary_encoding_is_refused():
    with pytest.raises(importing.ImportFileError):
        read("binary.csv", "放权部门".encode() + b"\x00\xff\xfe" * 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("bad.xlsx", b"PK\x03\x04 broken"),
        SimpleUploadedFile("bad.csv", "放权部门".encode("utf-16")),
        SimpleUploadedFile("bad.exe", b"MZ"),
    ],
    ids=["xlsx", "csv-encoding", "type"],
)
def test_a_rejected_upload_writes_nothing_and_says_why(client, upload):
    town = TownFactory()
    catalogue = DelegationCatalogueFactory(county=town.county)
    client.force_login(UserFactory(region=town.county))
    before = (PowerItem.objects.count(), DelegatedPower.objects.count(), MonthlyCaseCount.objects.count())
    response = client.post(
        reverse("delegation:catalogue_import"), {"catalogue": catalogue.pk, "town": town.pk, "file": upload}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "delegation_import" not in client.session
    assert (PowerItem.objects.count(), DelegatedPower.objects.count(), MonthlyCaseCount.objects.count()) == before


# ---------------------------------------------------------------- property-based

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4000), st.sampled_from(["x.csv", "x.xlsx"]))
def test_any_bytes_either_parse_or_raise_a_clear_error(data, name):
    try:
        table, message = read(name, data), None
    except importing.ImportFileError as e:
        table, message = [], str(e)
    assert message is None or message.strip()
    assert all(isinstance(v, str) for _n, row in table for v in row.values())


@FUZZ
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0))
def test_a_damaged_workbook_either_parses_or_raises_a_clear_error(noise, where):
    good = bytearray(xlsx(GOOD).read())
    at = where % len(good)
    good[at : at + len(noise)] = noise
    try:
        message = read("x.xlsx", bytes(good)) and None
    except importing.ImportFileError as e:
        message = str(e)
    assert message is None or message.strip()


CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=30)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=20))
def test_csv_cells_come_back_as_written(rows):
    rows = [row for row in rows if any(row)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    if not rows:
        return
    table = read("x.csv", buffer.getvalue().encode("utf-8-sig"))
    keys = ["department", "name", "type_code", "implementation_code", "mode", "delegated_on", "take_over_status"]
    keys += ["take_over_on", "receiving_organ"]
    assert [[values[k] for k in keys] for _n, values in table] == [[c.strip() for c in row] for row in rows]


def test_an_unsupported_zip_version_is_a_clear_error():
    """Found by the property-based test: zipfile raises NotImplementedError on a strange header."""
    data = bytearray(xlsx(GOOD).read())
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 6 : directory + 8] = (64).to_bytes(2, "little")  # "version needed to extract": 6.4
    with pytest.raises(importing.ImportFileError, match="无法读取该 Excel 文件"):
        read("x.xlsx", bytes(data))
