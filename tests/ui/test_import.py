"""Spreadsheet import of catalogues and case counts: parsing, row problems, all-or-nothing, re-import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from delegation import importing
from delegation.models import DelegatedPower, Department, MonthlyCaseCount, PowerItem
from tests.factories import DelegatedPowerFactory, DelegationCatalogueFactory, OrganFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = ["放权部门", "事项名称", "权力类型", "实施编码", "下放方式", "下放日期", "承接状态", "承接日期", "承接机构"]
GOOD = [
    [
        "县市场监管局",
        "食品经营许可",
        "行政许可",
        "IMP-001",
        "直接下放",
        "2019-05-01",
        "已承接",
        "2019-06-01",
        "便民服务中心",
    ],
    ["县市场监管局", "广告违法处罚", "02", "", "委托", "", "", "", ""],
]


def xlsx(rows, headers=HEADERS, name="catalogue.xlsx"):
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, headers=HEADERS, encoding="utf-8-sig", name="catalogue.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


@pytest.fixture
def town():
    town = TownFactory()
    OrganFactory(town=town, name="便民服务中心")
    return town


@pytest.fixture
def catalogue(town):
    return DelegationCatalogueFactory(county=town.county)


@pytest.fixture
def editor(town):
    return UserFactory(region=town.county)


def run(editor, catalogue, town, upload, dry_run=False):
    rows = importing.read_table(upload, importing.CATALOGUE_COLUMNS)
    return importing.catalogue_import(user=editor, catalogue=catalogue, town=town, rows=rows, dry_run=dry_run)


def test_good_xlsx_creates_items_powers_and_departments(editor, catalogue, town):
    result = run(editor, catalogue, town, xlsx(GOOD))
    assert result.ok
    assert result.created == 2
    powers = DelegatedPower.objects.filter(town=town).select_related("item").order_by("item__name")
    assert {p.item.name for p in powers} == {"食品经营许可", "广告违法处罚"}
    licence = powers.get(item__implementation_code="IMP-001")
    assert licence.take_over_status == "taken_over"
    assert licence.mode == "direct"
    penalty = powers.get(item__name="广告违法处罚")
    assert penalty.delegated_on == catalogue.issued_on
    assert penalty.mode == "entrusted"
    assert Department.objects.filter(county=town.county, name="县市场监管局").count() == 1
    assert licence.history.first().history_user == editor


def test_good_csv_in_gbk_reads_the_same(editor, catalogue, town):
    result = run(editor, catalogue, town, csv_file(GOOD, encoding="gbk"))
    assert result.ok
    assert result.created == 2


def test_preview_writes_nothing(editor, catalogue, town):
    result = run(editor, catalogue, town, xlsx(GOOD), dry_run=True)
    assert result.ok
    assert result.created == 2
    assert not DelegatedPower.objects.exists()
    assert not PowerItem.objects.exists()


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["", "事项", "01", "", "委托", "", ""], "放权部门", "必填项为空"),
        (["县局", "事项", "行政魔法", "", "委托", "", ""], "权力类型", "不是有效的选项"),
        (["县局", "事项", "01", "", "空投", "", ""], "下放方式", "不是有效的选项"),
        (["县局", "事项", "01", "", "委托", "2019年5月", ""], "下放日期", "YYYY-MM-DD"),
        (["县局", "事项", "01", "", "委托", "2000-01-01", ""], "下放日期", "不能早于放权目录的发布日期"),
        (["县局", "事项", "01", "", "委托", "", "未承接到位"], "未承接原因", "必须选择原因"),
        (["县局", "事项", "01", "", "委托", "", "已承接", "2019-06-01"], "承接机构", "必须选择承接机构"),
        (["县局", "事项", "01", "", "委托", "", "已承接", "2019-06-01", "无此机构"], "承接机构", "没有名为"),
        (["县局", "事项", "01", "", "委托", "", "已承接", "", "便民服务中心"], "承接日期", "必须填写承接日期"),
    ],
)
def test_each_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    editor, catalogue, town, row, column, reason
):
    result = run(editor, catalogue, town, xlsx([GOOD[0], row]))
    assert not result.ok
    problem = result.problems[0]
    assert (problem.row, problem.column) == (3, column)
    assert reason in problem.reason
    assert not DelegatedPower.objects.exists()
    assert not PowerItem.objects.exists()


def test_a_code_another_county_uses_is_imported_and_nothing_tells_of_the_other_county(editor, catalogue, town):
    other = DelegatedPowerFactory(
        town__county__code="371522", town__county__name="莘县", item__implementation_code="IMP-001"
    )
    result = run(editor, catalogue, town, xlsx(GOOD))
    assert result.ok, result.problems
    assert PowerItem.objects.filter(implementation_code="IMP-001").count() == 2
    assert PowerItem.objects.get(pk=other.item.pk).source_department.county.code == "371522"


def test_corrected_file_updates_the_same_powers(editor, catalogue, town):
    run(editor, catalogue, town, xlsx(GOOD))
    corrected = [
        ["县市场监管局", "食品经营许可(含小餐饮)", "行政许可", "IMP-001", "委托", "2019-05-01", "已承接"],
        ["县市场监管局", "广告违法处罚", "02", "", "直接下放", "", ""],
    ]
    result = run(editor, catalogue, town, xlsx(corrected))
    assert result.ok
    assert (result.created, result.updated) == (0, 2)
    assert DelegatedPower.objects.count() == 2
    assert PowerItem.objects.count() == 2
    assert PowerItem.objects.get(implementation_code="IMP-001").name == "食品经营许可(含小餐饮)"
    assert DelegatedPower.objects.get(item__name="广告违法处罚").mode == "direct"
    assert run(editor, catalogue, town, xlsx(corrected)).unchanged == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.txt", b"x"), "只支持 .xlsx 或 .csv"),
        (SimpleUploadedFile("a.xlsx", b"not a zip"), "无法读取该 Excel 文件"),
        (SimpleUploadedFile("a.csv", "放权部门".encode("utf-16")), "编码"),
        (SimpleUploadedFile("a.csv", b""), "文件是空的"),
        (SimpleUploadedFile("a.csv", "放权部门,事项名称\n".encode()), "缺少必需的列"),
    ],
)
def test_unreadable_files_get_a_clear_error(upload, message):
    with pytest.raises(importing.ImportFileError, match=message):
        importing.read_table(upload, importing.CATALOGUE_COLUMNS)


def test_row_count_is_bounded(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 1)
    with pytest.raises(importing.ImportFileError, match="最多导入 1 行"):
        importing.read_table(xlsx(GOOD), importing.CATALOGUE_COLUMNS)


def test_upload_size_is_bounded(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(importing.ImportFileError, match="文件过大"):
        importing.read_table(xlsx(GOOD), importing.CATALOGUE_COLUMNS)


def test_preview_then_confirm_through_the_browser(client, editor, catalogue, town):
    client.force_login(editor)
    url = reverse("delegation:catalogue_import")
    page = client.post(url, {"catalogue": catalogue.pk, "town": town.pk, "file": xlsx(GOOD)}).content.decode()
    assert "将新增 2 条" in page
    assert '<tr class="import-new"><td>2</td><td>食品经营许可</td>' in page
    assert not DelegatedPower.objects.exists()
    token = client.session["delegation_import"]["token"]
    response = client.post(reverse("delegation:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert DelegatedPower.objects.filter(town=town).count() == 2


def test_browser_preview_lists_problems(client, editor, catalogue, town):
    client.force_login(editor)
    bad = [GOOD[0], ["县局", "事项", "行政魔法", "", "委托", "", ""]]
    url = reverse("delegation:catalogue_import")
    page = client.post(url, {"catalogue": catalogue.pk, "town": town.pk, "file": xlsx(bad)}).content.decode()
    assert "文件未导入" in page
    assert "<td>3</td><td>权力类型</td>" in page


def test_catalogue_of_another_county_cannot_be_chosen(client, editor, town):
    foreign = DelegationCatalogueFactory(county__code="371522", county__name="莘县")
    client.force_login(editor)
    url = reverse("delegation:catalogue_import")
    response = client.post(url, {"catalogue": foreign.pk, "town": town.pk, "file": xlsx(GOOD)})
    assert "catalogue" in response.context["form"].errors


def test_reviewer_cannot_import(client, town):
    client.force_login(UserFactory(role="reviewer", region=town.county))
    assert client.get(reverse("delegation:catalogue_import")).status_code == 403
    assert client.post(reverse("delegation:import_confirm")).status_code == 403


def test_template_has_chinese_headers(client, editor):
    client.force_login(editor)
    response = client.get(reverse("delegation:import_template", args=["catalogue"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["放权部门", "事项名称", "权力类型"]


CASE_HEADERS = ["镇代码", "实施编码", "月份", "办理主体", "受理件数", "办结件数"]


def test_case_counts_import_then_reimport_updates(editor, town):
    power = DelegatedPowerFactory(town=town)
    code = power.item.implementation_code
    upload = xlsx([[town.code, code, "2025-03", "镇", 5, 4]], headers=CASE_HEADERS)
    rows = importing.read_table(upload, importing.CASE_COUNT_COLUMNS)
    assert importing.case_count_import(user=editor, rows=rows).created == 1
    upload = xlsx([[town.code, code, "2025-03", "镇", 7, 7]], headers=CASE_HEADERS)
    rows = importing.read_table(upload, importing.CASE_COUNT_COLUMNS)
    assert importing.case_count_import(user=editor, rows=rows).updated == 1
    assert MonthlyCaseCount.objects.get().accepted == 7


def test_case_counts_bad_row_names_row_and_column(editor, town):
    power = DelegatedPowerFactory(town=town)
    upload = xlsx(
        [
            [town.code, power.item.implementation_code, "2025-03", "镇", 5, 4],
            [town.code, "NOPE", "2025-13x", "镇", -1, 0],
        ],
        headers=CASE_HEADERS,
    )
    rows = importing.read_table(upload, importing.CASE_COUNT_COLUMNS)
    result = importing.case_count_import(user=editor, rows=rows)
    assert {(p.row, p.column) for p in result.problems} == {(3, "月份"), (3, "受理件数")}
    assert not MonthlyCaseCount.objects.exists()


def test_case_count_upload_preview_and_confirm_through_the_browser(client, editor, town):
    power = DelegatedPowerFactory(town=town)
    client.force_login(editor)
    upload = xlsx([[town.code, power.item.implementation_code, "2025-03", "镇", 5, 4]], headers=CASE_HEADERS)
    page = client.post(reverse("delegation:case_count_import"), {"file": upload}).content.decode()
    assert "将新增 1 条" in page
    assert not MonthlyCaseCount.objects.exists()
    client.post(reverse("delegation:import_confirm"), {"token": client.session["delegation_import"]["token"]})
    assert MonthlyCaseCount.objects.get().accepted == 5


def test_case_counts_of_another_county_are_refused(editor, town):
    foreign = DelegatedPowerFactory(town__county__code="371522", town__county__name="莘县")
    upload = xlsx([[foreign.town.code, foreign.item.implementation_code, "2025-03", "镇", 5, 4]], headers=CASE_HEADERS)
    rows = importing.read_table(upload, importing.CASE_COUNT_COLUMNS)
    result = importing.case_count_import(user=editor, rows=rows)
    # At the town code, as a town that does not exist would be: nothing tells of the other county.
    assert [(p.row, p.column) for p in result.problems] == [(2, "镇代码")]
    assert not MonthlyCaseCount.objects.exists()


def test_confirm_without_a_preview_says_so(client, editor):
    client.force_login(editor)
    response = client.post(reverse("delegation:import_confirm"), follow=True)
    assert "没有待确认的导入" in response.content.decode()


def test_confirming_a_superseded_preview_imports_nothing(client, editor, catalogue, town):
    client.force_login(editor)
    url = reverse("delegation:catalogue_import")
    client.post(url, {"catalogue": catalogue.pk, "town": town.pk, "file": xlsx(GOOD)})
    old_token = client.session["delegation_import"]["token"]
    client.post(url, {"catalogue": catalogue.pk, "town": town.pk, "file": xlsx(GOOD[:1])})
    response = client.post(reverse("delegation:import_confirm"), {"token": old_token}, follow=True)
    assert "预览已被更新的上传取代" in response.content.decode()
    assert not DelegatedPower.objects.exists()


def test_blank_rows_beyond_the_scan_limit_are_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_SCANNED_ROWS", 3)
    with pytest.raises(importing.ImportFileError, match="含空行超过 3 行"):
        importing.read_table(xlsx([GOOD[0], [], [], GOOD[1]]), importing.CATALOGUE_COLUMNS)


def test_preview_warns_when_counts_differ_from_the_catalogue(editor, catalogue, town):
    # The factory's catalogue declares 1 licence + 1 penalty; the file holds 1 licence only.
    result = run(editor, catalogue, town, xlsx(GOOD[:1]), dry_run=True)
    assert result.ok
    assert result.warnings == ["行政处罚:目录申报 1 项,本镇现有 0 项。"]
    assert run(editor, catalogue, town, xlsx(GOOD), dry_run=True).warnings == []


def test_preview_lists_each_row_new_changed_unchanged_or_refused(editor, catalogue, town):
    run(editor, catalogue, town, xlsx(GOOD))
    changed = ["县市场监管局", "食品经营许可", "行政许可", "IMP-001", "委托", "2019-05-01", "已承接"]
    refused = ["县市场监管局", "新事项", "不存在的类型", "", "委托", "", ""]
    new = ["县市场监管局", "新增事项", "02", "", "委托", "", ""]
    result = run(editor, catalogue, town, xlsx([changed, GOOD[1], refused, new]), dry_run=True)
    statuses = [(r["row"], r["name"], r["status"]) for r in result.rows]
    assert statuses == [
        (2, "食品经营许可", "changed"),
        (3, "广告违法处罚", "unchanged"),
        (4, "新事项", "refused"),
        (5, "新增事项", "new"),
    ]
    assert result.rows[0]["changes"] == [("下放方式", "直接下放", "委托")]
    assert "权力类型" in result.rows[2]["reason"]


def test_case_count_preview_lists_each_row_new_changed_unchanged_or_refused(client, editor, town):
    power = DelegatedPowerFactory(town=town, item__name="食品经营许可")
    code = power.item.implementation_code
    first = xlsx([[town.code, code, "2025-03", "镇", 5, 4], [town.code, code, "2025-04", "镇", 2, 2]], CASE_HEADERS)
    importing.case_count_import(user=editor, rows=importing.read_table(first, importing.CASE_COUNT_COLUMNS))
    rows = [
        [town.code, code, "2025-03", "镇", 7, 4],  # changed
        [town.code, code, "2025-04", "镇", 2, 2],  # unchanged
        [town.code, code, "2025-05", "镇", 1, 1],  # new
    ]
    result = importing.case_count_import(
        user=editor, rows=importing.read_table(xlsx(rows, CASE_HEADERS), importing.CASE_COUNT_COLUMNS), dry_run=True
    )
    assert [(r["row"], r["status"]) for r in result.rows] == [(2, "changed"), (3, "unchanged"), (4, "new")]
    assert result.rows[0]["name"] == "食品经营许可 · 2025年3月"
    assert result.rows[0]["changes"] == [("受理件数", "5", "7")]
    assert result.rows[2]["changes"] == [("受理件数", "", "1"), ("办结件数", "", "1")]

    client.force_login(editor)
    refused = [town.code, "NOPE", "2025-06", "镇", 1, 1]
    page = client.post(reverse("delegation:case_count_import"), {"file": xlsx([*rows, refused], CASE_HEADERS)})
    text = page.content.decode()
    assert "逐行预览:将写入的内容" in text
    assert "该镇没有此实施编码的下放事项。" in text.split('class="import-refused"')[1]
    assert "<td>5</td>" in text.split('class="import-refused"')[1]
    assert MonthlyCaseCount.objects.get(month__month=3).accepted == 5  # the refused file wrote nothing


def _drop_down(sheet, header):
    """The values the drop-down of the column headed ``header`` offers, read through its list range."""
    column = next(c.column_letter for c in sheet[1] if c.value == header)
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list" and any(f"{column}2" in str(r) for r in validation.sqref.ranges):
            sheet_name, cells = validation.formula1.split("!")
            first, last = cells.replace("$", "").split(":")
            source = sheet.parent[sheet_name.strip("'")]
            return [c.value for row in source[first:last] for c in row]
    return None


def test_catalogue_template_offers_its_code_lists_as_drop_downs(client, editor):
    client.force_login(editor)
    response = client.get(reverse("delegation:import_template", args=["catalogue"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "行政许可" in _drop_down(sheet, "权力类型")
    assert "其他行政权力" in _drop_down(sheet, "权力类型")
    assert set(_drop_down(sheet, "承接状态")) == {str(label) for label in DelegatedPower.TakeOverStatus.labels}
    assert _drop_down(sheet, "事项名称") is None  # free text: no list


def test_case_count_template_offers_the_handlers_as_a_drop_down(client, editor, town):
    DelegatedPowerFactory(town=town)
    client.force_login(editor)
    response = client.get(reverse("delegation:import_template", args=["case_counts"]), {"town": town.code})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert set(_drop_down(sheet, "办理主体")) == {str(label) for label in MonthlyCaseCount.HandledBy.labels}
