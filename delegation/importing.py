"""Spreadsheet import of a delegation catalogue and of monthly case counts (XLSX or CSV).

Reading turns the file into rows of text keyed by column; importing writes every row through the
services inside one transaction and rolls the whole file back when any row has a problem. A preview
is the same import, always rolled back, so the clerk sees exactly what confirming would do.
"""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import services
from core.scoping import can_edit
from core.ui_values import display_value
from core.units import format_month
from staffing.models import Organ

from .models import DelegatedPower, Department, MonthlyCaseCount, PowerItem, PowerSource, PowerType
from .selectors import EditionDiff, contents_diff, edition_contents
from .services import BatchRejected, case_counts_upsert, power_withdraw

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A sheet may declare far more (blank) rows and columns than it holds; never scan past these.
MAX_SCANNED_ROWS = 20_000
MAX_COLUMNS = 50
# An .xlsx is a zip: refuse one that would inflate past this (a "zip bomb") before parsing any of it.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """A spreadsheet column: the header is the Chinese text of the template, whatever the UI language."""

    key: str
    header: str
    required: bool = False


CATALOGUE_COLUMNS = [
    Column("department", gettext_noop("放权部门"), True),
    Column("name", gettext_noop("事项名称"), True),
    Column("type_code", gettext_noop("权力类型"), True),
    Column("implementation_code", gettext_noop("实施编码")),
    Column("local_code", gettext_noop("本地编码")),
    Column("source", gettext_noop("权力来源")),
    Column("legal_basis", gettext_noop("设定依据")),
    Column("mode", gettext_noop("下放方式"), True),
    Column("delegated_on", gettext_noop("下放日期")),
    Column("take_over_status", gettext_noop("承接状态")),
    Column("take_over_on", gettext_noop("承接日期")),
    Column("receiving_organ", gettext_noop("承接机构")),
    Column("not_taken_over_cause", gettext_noop("未承接原因")),
    Column("not_taken_over_reason", gettext_noop("未承接原因说明")),
]

CASE_COUNT_COLUMNS = [
    Column("town_code", gettext_noop("镇代码"), True),
    Column("implementation_code", gettext_noop("实施编码"), True),
    Column("month", gettext_noop("月份"), True),
    Column("handled_by", gettext_noop("办理主体")),
    Column("accepted", gettext_noop("受理件数"), True),
    Column("closed", gettext_noop("办结件数"), True),
]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the clerk."""


@dataclass
class Problem:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    diff: EditionDiff | None = None  # a catalogue import: what the town's listing gains and loses
    # What each row of the file does, for the preview: {row, name, status, changes, reason}.
    rows: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


# ---------------------------------------------------------------- reading


def _text(value):
    """A cell as text: whole floats lose their '.0', dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(upload):
    name = (upload.name or "").lower()
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件过大:最大 %(mb)s MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    data = upload.read()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _csv_rows(data)
    raise ImportFileError(_("只支持 .xlsx 或 .csv 文件。"))


def _check_inflated_size(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except Exception as e:  # a damaged directory raises BadZipFile, NotImplementedError, struct.error, …
        raise ImportFileError(_("无法读取该 Excel 文件,请确认是 .xlsx 格式且未损坏。")) from e
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            _("Excel 文件解压后过大(超过 %(mb)s MB),可能已损坏或含有大量无用内容。")
            % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )


def _xlsx_rows(data):
    _check_inflated_size(data)
    unreadable = _("无法读取该 Excel 文件,请确认是 .xlsx 格式且未损坏。")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged file; each means the same to the clerk
        raise ImportFileError(unreadable) from e
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("文件是空的。"))
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as e:  # damaged sheet XML surfaces only while rows are read
                raise ImportFileError(unreadable) from e
            yield [_text(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("无法识别 CSV 文件的编码,请另存为“CSV UTF-8”格式。"))
    if "\x00" in text:
        raise ImportFileError(_("CSV 文件内容无效(含二进制字符)。"))
    try:
        yield from ([_text(v) for v in row] for row in csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise ImportFileError(_("CSV 文件格式错误:%(err)s") % {"err": e}) from e


def read_table(upload, columns):
    """[(row number, {key: text})] from the first sheet; the first row holds the Chinese headers."""
    rows = _raw_rows(upload)
    header = next(rows, None)
    if not header:
        raise ImportFileError(_("文件是空的。"))
    by_header = {c.header: c for c in columns} | {str(_(c.header)): c for c in columns}
    positions = {by_header[h].key: i for i, h in enumerate(header) if h in by_header}
    missing = [str(c.header) for c in columns if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(_("缺少必需的列:%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)})
    table = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_SCANNED_ROWS:
            raise ImportFileError(_("文件行数过多(含空行超过 %(n)s 行),请删除多余的空行。") % {"n": MAX_SCANNED_ROWS})
        if not any(values):
            continue
        if len(table) >= MAX_ROWS:
            raise ImportFileError(_("行数过多:一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})
        table.append((number, {k: values[i] if i < len(values) else "" for k, i in positions.items()}))
    if not table:
        raise ImportFileError(_("文件中没有数据行。"))
    return table


def template_workbook(columns, notes, rows=(), extra_headers=(), lists=None):
    """An XLSX with the Chinese headers, the ``rows`` to fill (none: empty) and a sheet explaining the
    allowed values; ``extra_headers`` name columns for the clerk's eyes that the import ignores.

    ``lists`` ({column key: choices}) gives those columns a drop-down of the choices' Chinese labels, which
    the import reads back (``_choice``); a value typed outside the list is still read, and refused there
    with its reason, so the drop-down only spares the clerk the lookup.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("数据"))
    sheet.append([str(c.header) for c in columns] + [str(h) for h in extra_headers])
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for i in range(len(columns) + len(extra_headers)):
        sheet.column_dimensions[get_column_letter(i + 1)].width = 22
    help_sheet = workbook.create_sheet(str(_("填写说明")))
    for column in columns:
        help_sheet.append([str(column.header), str(_("必填")) if column.required else "", notes.get(column.key, "")])
    if lists:
        _add_drop_downs(workbook, sheet, columns, lists, last_row=max(TEMPLATE_ROWS, sheet.max_row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Rows of an empty template that carry the drop-downs (a filled-in one: every row it lists).
TEMPLATE_ROWS = 1000


def _add_drop_downs(workbook, sheet, columns, lists, last_row):
    """Each listed column's cells offer its choices, kept on a hidden sheet (a list longer than 255
    characters cannot be written inline in the validation)."""
    source = workbook.create_sheet(str(_("代码表")))
    source.sheet_state = "hidden"
    keys = [c.key for c in columns]
    for n, (key, choices) in enumerate(lists.items(), start=1):
        with translation.override("zh-hans"):
            labels = [str(label) for _code, label in choices]
        letter, target = get_column_letter(n), get_column_letter(keys.index(key) + 1)
        for row, label in enumerate(labels, start=1):
            source.cell(row=row, column=n, value=label)
        validation = DataValidation(
            type="list",
            formula1=f"'{source.title}'!${letter}$1:${letter}${len(labels)}",
            allow_blank=True,
            showErrorMessage=False,  # the import explains a value outside the list, row by row
        )
        validation.add(f"{target}2:{target}{last_row}")
        sheet.add_data_validation(validation)


def catalogue_notes():
    def labels(choices):
        return "、".join(f"{value} {label}" for value, label in choices)

    return {
        "type_code": labels(PowerType.choices),
        "source": labels(PowerSource.choices),
        "mode": "、".join(str(label) for label in DelegatedPower.Mode.labels),
        "take_over_status": "、".join(str(label) for label in DelegatedPower.TakeOverStatus.labels),
        "delegated_on": "YYYY-MM-DD",
        "take_over_on": str(_("YYYY-MM-DD;已承接时必填")),
        "receiving_organ": str(_("本镇机构或派驻机构的名称;已承接时必填")),
        "not_taken_over_cause": "、".join(str(label) for label in DelegatedPower.NotTakenOverCause.labels),
        "not_taken_over_reason": str(_("原因为“其他”时必填")),
        "implementation_code": str(_("有实施编码时按编码更新同一事项,否则按部门 + 事项名称。")),
    }


def town_case_count_rows(town, powers, year):
    """The case-count template's rows for ``town``: each power for each month of ``year``, counts blank.

    Rows left blank are skipped on import, so the clerk fills in what they have and sends the file back.
    """
    town_label = str(MonthlyCaseCount.HandledBy.TOWN.label)
    for power in powers:
        for month in range(1, 13):
            code = power.item.implementation_code
            yield [town.code, code, f"{year}-{month:02d}", town_label, None, None, power.item.name]


CATALOGUE_LISTS = {
    "type_code": PowerType.choices,
    "source": PowerSource.choices,
    "mode": DelegatedPower.Mode.choices,
    "take_over_status": DelegatedPower.TakeOverStatus.choices,
    "not_taken_over_cause": DelegatedPower.NotTakenOverCause.choices,
}
CASE_COUNT_LISTS = {"handled_by": MonthlyCaseCount.HandledBy.choices}


def case_count_notes():
    return {
        "town_code": str(_("12 位统计用区划代码")),
        "month": "YYYY-MM",
        "handled_by": str(_("镇 或 县直部门,留空为镇")),
    }


# ---------------------------------------------------------------- catalogue


def _choice(value, choices):
    """A choice given by its code, its Chinese label or its label in the user's language → its code."""
    for code, label in choices:
        with translation.override("zh-hans"):
            chinese = str(label)
        if value in (code, chinese, str(label)):
            return code
    return None


def _parse_date(value):
    try:
        return dt.date.fromisoformat(value.replace("/", "-")[:10])
    except ValueError:
        return None


def _clean_catalogue_row(values, catalogue):
    """(cleaned values, {column key: reason}) for one catalogue row."""
    errors, cleaned = {}, dict(values)
    for column in CATALOGUE_COLUMNS:
        if column.required and not values.get(column.key):
            errors[column.key] = _("必填项为空。")
    for key, choices in (
        ("type_code", PowerType.choices),
        ("source", PowerSource.choices),
        ("mode", DelegatedPower.Mode.choices),
        ("take_over_status", DelegatedPower.TakeOverStatus.choices),
        ("not_taken_over_cause", DelegatedPower.NotTakenOverCause.choices),
    ):
        if values.get(key) and key not in errors:
            cleaned[key] = _choice(values[key], choices)
            if cleaned[key] is None:
                errors[key] = _("“%(v)s”不是有效的选项。") % {"v": values[key]}
    cleaned["delegated_on"] = catalogue.issued_on
    if values.get("delegated_on"):
        cleaned["delegated_on"] = _parse_date(values["delegated_on"])
        if cleaned["delegated_on"] is None:
            errors["delegated_on"] = _("日期格式应为 YYYY-MM-DD。")
    cleaned["take_over_on"] = None
    if values.get("take_over_on"):
        cleaned["take_over_on"] = _parse_date(values["take_over_on"])
        if cleaned["take_over_on"] is None:
            errors["take_over_on"] = _("日期格式应为 YYYY-MM-DD。")
    return cleaned, errors


def _receiving_organ(town, name):
    """The town's organ of that name; a ValidationError at the column when the town has none."""
    if not name:
        return None
    organ = Organ.objects.filter(town=town, name=name).first()
    if organ is None:
        raise ValidationError({"receiving_organ": _("本镇没有名为“%(name)s”的机构。") % {"name": name}})
    return organ


class _Rollback(Exception):
    def __init__(self, result):
        super().__init__("rolled back")
        self.result = result


def _all_or_nothing(write, dry_run):
    """Run ``write`` in one transaction; roll it back on any problem, or always for a preview."""
    try:
        with transaction.atomic():
            result = write()
            if dry_run or not result.ok:
                raise _Rollback(result)
    except _Rollback as rollback:
        return rollback.result
    return result


def catalogue_import(*, user, catalogue, town, rows, dry_run=False, new_edition=False):
    """Import catalogue rows into ``town`` under ``catalogue``: items and delegated powers, created or updated.

    An item is matched by its implementation code, else by department + item name, so importing a
    corrected file again updates the same powers instead of duplicating them. With ``new_edition`` the
    file is the whole of a later edition: a power in force that it does not list is withdrawn on the
    edition's issue date, and one listed with another mode is withdrawn and delegated again in that mode.
    The result's ``diff`` is the town's listing before and after, shown in the preview.
    """
    if not (can_edit(user, catalogue) and can_edit(user, town)):
        raise PermissionDenied(_("您无权修改此记录。"))
    columns = {c.key: str(c.header) for c in CATALOGUE_COLUMNS}

    def write():
        result = ImportResult()
        before = edition_contents(catalogue, town)
        departments = {d.name: d for d in Department.objects.filter(county=catalogue.county)}
        edition = _Edition(catalogue, new_edition)
        for number, values in rows:
            cleaned, errors = _clean_catalogue_row(values, catalogue)
            log: list = []
            if not errors:
                errors = _write_catalogue_row(user, edition, town, cleaned, departments, result, log)
            result.problems += [Problem(number, columns.get(k, k), str(reason)) for k, reason in errors.items()]
            result.rows.append(_row_outcome(number, values.get("name", ""), log, errors, columns))
        if result.ok and new_edition:
            result.problems += _withdraw_unlisted(user, edition, town)
        if result.ok:
            result.warnings = count_mismatches(catalogue, town)
            result.diff = contents_diff(before, edition_contents(catalogue, town))
            services.record_import(user=user, what="catalogue", created=result.created, updated=result.updated)
        return result

    return _all_or_nothing(write, dry_run)


@dataclass
class _Edition:
    """The catalogue a file goes into, whether it is a whole new edition, and the items it lists."""

    catalogue: object
    is_new: bool
    listed: set = field(default_factory=set)


def _withdraw_unlisted(user, edition, town):
    """Withdraw the town's powers in force that the new edition does not list; problems if any refuse."""
    catalogue, problems = edition.catalogue, []
    unlisted = DelegatedPower.objects.filter(town=town, withdrawn_on__isnull=True).exclude(item__in=edition.listed)
    for power in unlisted.exclude(catalogue=catalogue).select_related("item"):
        try:
            power_withdraw(
                user=user, power=power, withdrawn_on=catalogue.issued_on, reason=_("新版目录未列入"), edition=catalogue
            )
        except ValidationError as error:
            problems.append(Problem(0, power.item.name, " ".join(error.messages)))
    return problems


def count_mismatches(catalogue, town):
    """Where the town's powers under ``catalogue`` differ from the catalogue's declared count per type."""
    held = dict(
        DelegatedPower.objects.filter(catalogue=catalogue, town=town)
        .values_list("item__type_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        _("%(type)s:目录申报 %(declared)s 项,本镇现有 %(held)s 项。")
        % {"type": PowerType(code).label, "declared": declared, "held": held.get(code, 0)}
        for code, declared in catalogue.type_counts().items()
        if declared != held.get(code, 0)
    ]


ITEM_FIELDS = ("name", "type_code", "implementation_code", "local_code", "source", "legal_basis")
POWER_FIELDS = (
    "mode",
    "delegated_on",
    "take_over_status",
    "take_over_on",
    "not_taken_over_cause",
    "not_taken_over_reason",
)


def _row_outcome(number, name, log, errors, columns):
    """What one row does: refused (with the reasons), new, changed (old → new per cell) or unchanged."""
    if errors:
        reason = ";".join(f"{columns.get(k, k)}:{r}" for k, r in errors.items())
        return {"row": number, "name": name, "status": "refused", "changes": [], "reason": reason}
    if any(status == "new" for status, _changes in log if status):
        status = "new"
    else:
        status = "changed" if any(changes for _status, changes in log) else "unchanged"
    changes = [change for _status, changes in log for change in changes]
    return {"row": number, "name": name, "status": status, "changes": changes, "reason": ""}


def _write_catalogue_row(user, edition, town, cleaned, departments, result, log=None):
    """Write one row in its own savepoint; returns {column key: reason} for what was refused."""
    catalogue = edition.catalogue
    try:
        with transaction.atomic():
            department = departments.get(cleaned["department"])
            if department is None:
                department = services.record_create(
                    Department, user=user, data={"county": catalogue.county, "name": cleaned["department"]}
                )
            item = _upsert(
                _find_item(department, cleaned),
                PowerItem,
                user,
                {"source_department": department, **{k: cleaned.get(k) or "" for k in ITEM_FIELDS}},
                result,
                count=False,
                log=log,
            )
            data = {k: cleaned[k] for k in POWER_FIELDS if cleaned.get(k)}
            if cleaned.get("receiving_organ"):
                data["receiving_organ"] = _receiving_organ(town, cleaned["receiving_organ"])
            existing = DelegatedPower.objects.filter(town=town, item=item, withdrawn_on__isnull=True).first()
            edition.listed.add(item.pk)
            if edition.is_new and existing is not None and existing.catalogue_id != catalogue.pk:
                _carry_into_edition(user, edition, existing, item, data, result, log)
            else:
                _upsert(
                    existing,
                    DelegatedPower,
                    user,
                    {"town": town, "item": item, "catalogue": catalogue, **data},
                    result,
                    log=log,
                )
    except ValidationError as e:
        return _field_errors(e)
    except IntegrityError:
        return {"name": _("与已有记录冲突。")}
    # Cached only once the row's savepoint holds, so a rolled-back department is never reused.
    departments[department.name] = department
    return {}


def _carry_into_edition(user, edition, existing, item, data, result, log=None):
    """A power an earlier edition listed: kept as it is, or withdrawn and delegated again in its new mode."""
    mode = data.get("mode", existing.mode)
    if mode == existing.mode:
        result.unchanged += 1
        return
    catalogue = edition.catalogue
    power_withdraw(
        user=user, power=existing, withdrawn_on=catalogue.issued_on, reason=_("下放方式调整"), edition=catalogue
    )
    # The town keeps what it had done with the power unless the file says otherwise.
    carried = {k: getattr(existing, k) for k in TAKE_OVER_FIELDS}
    carried["delegated_on"] = catalogue.issued_on
    carried.update(data)
    if carried["take_over_on"] and carried["take_over_on"] < carried["delegated_on"]:
        carried["take_over_on"] = carried["delegated_on"]
    carried.update(town=existing.town, item=item, catalogue=catalogue)
    _upsert(None, DelegatedPower, user, carried, result, log=log)


TAKE_OVER_FIELDS = (
    "take_over_status",
    "take_over_on",
    "receiving_organ",
    "not_taken_over_cause",
    "not_taken_over_reason",
)


def _find_item(department, cleaned):
    code = cleaned.get("implementation_code")
    if code:
        # Codes are unique within a county: another county's items are neither found nor mentioned.
        found = PowerItem.objects.filter(county_id=department.county_id, implementation_code=code).first()
        if found is not None:
            return found
    return PowerItem.objects.filter(source_department=department, name=cleaned["name"]).first()


def _upsert(existing, model, user, data, result, count=True, log=None):
    """Create, or update only the fields that differ (so an unchanged row leaves no history).

    ``log`` (a list) receives ("new", []) or (None, [(field label, old, new), …]) for the preview;
    only a counted record (the power, not its item) makes a row new.
    """
    log = [] if log is None else log
    if existing is None:
        result.created += count
        log.append(("new" if count else None, []))
        return services.record_create(model, user=user, data=data)
    changed = {k: v for k, v in data.items() if getattr(existing, k) != v}
    log.append((None, [_change(existing, name, value) for name, value in changed.items()]))
    if not changed:
        result.unchanged += count
        return existing
    result.updated += count
    return services.record_update(existing, user=user, data=changed)


def _change(existing, name, new):
    model = type(existing)
    old = getattr(existing, model._meta.get_field(name).attname)
    new = getattr(new, "pk", new)
    label = str(model._meta.get_field(name).verbose_name)
    return label, display_value(model, name, old, existing), display_value(model, name, new, existing)


def _field_errors(error):
    """A ValidationError as {column key: reason}; model field names match the column keys."""
    if hasattr(error, "error_dict"):
        # A field the file has no column for is reported at the column that decides it (the reason a
        # power is not taken over is owed by its take-over status), else at the item's name.
        renamed = {"source_department": "department"}
        keys = {c.key for c in CATALOGUE_COLUMNS}
        errors = {}
        for k, v in error.error_dict.items():
            column = renamed.get(k, k) if renamed.get(k, k) in keys else "name"
            errors.setdefault(column, []).extend(m for e in v for m in e.messages)
        return {column: " ".join(messages) for column, messages in errors.items()}
    return {"name": " ".join(error.messages)}


# ---------------------------------------------------------------- case counts


def case_count_import(*, user, rows, dry_run=False):
    """Upsert monthly case counts through ``case_counts_upsert``: the whole file or nothing."""
    columns = {c.key: str(c.header) for c in CASE_COUNT_COLUMNS}
    columns["power"] = columns["implementation_code"]
    # A template row whose counts are both blank was not filled in: nothing to write, nothing to refuse.
    rows = [(number, values) for number, values in rows if values.get("accepted") or values.get("closed")]
    payload = []
    for _number, values in rows:
        item = dict(values)
        handled_by = item.get("handled_by", "")
        item["handled_by"] = _choice(handled_by, MonthlyCaseCount.HandledBy.choices) or handled_by
        payload.append(item)

    def write():
        try:
            counts = case_counts_upsert(user=user, rows=payload, what="case_counts")
        except BatchRejected as rejected:
            errors, outcomes = rejected.errors, rejected.outcomes
            result = ImportResult(
                problems=[
                    Problem(rows[index][0], columns.get(f, f), " ".join(str(m) for m in messages))
                    for index, by_field in sorted(errors.items())
                    for f, messages in by_field.items()
                ]
            )
        else:
            errors, outcomes = {}, dict(enumerate(counts.outcomes))
            result = ImportResult(created=counts.created, updated=counts.updated, unchanged=counts.unchanged)
        result.rows = [
            _case_count_outcome(number, values, outcomes.get(index), errors.get(index))
            for index, (number, values) in enumerate(rows)
        ]
        return result

    return _all_or_nothing(write, dry_run)


COUNT_FIELDS = ("accepted", "closed")


def _case_count_outcome(number, values, outcome, errors):
    """A row of the preview (as ``_row_outcome``'s): its power and month, what it does, old → new per count."""
    columns = {c.key: str(c.header) for c in CASE_COUNT_COLUMNS}
    columns["power"] = columns["implementation_code"]
    if outcome is None:
        name = " · ".join(str(values.get(k) or "") for k in ("implementation_code", "month") if values.get(k))
        return _row_outcome(number, name, [], {k: " ".join(map(str, m)) for k, m in (errors or {}).items()}, columns)
    labels = {f: str(MonthlyCaseCount._meta.get_field(f).verbose_name) for f in COUNT_FIELDS}
    name = f"{outcome.power.item.name} · {format_month(outcome.month)}"
    if outcome.handled_by != MonthlyCaseCount.HandledBy.TOWN:
        name = f"{name} · {MonthlyCaseCount.HandledBy(outcome.handled_by).label}"
    old = outcome.old or ("", "")
    changes = [(labels[f], str(o), str(n)) for f, o, n in zip(COUNT_FIELDS, old, outcome.new, strict=True) if o != n]
    return {"row": number, "name": name, "status": outcome.status, "changes": changes, "reason": ""}
