"""Export a filtered list to CSV or XLSX, as the clerk sees it, safe to open in a spreadsheet."""

import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.ui_values import cell, column_label, resolve_field
from core.units import is_money

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_EXPORT_ROWS = 100_000
WIDTH_SAMPLE = 200


def neutralise(value):
    """Prefix text that a spreadsheet would read as a formula with a quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def header_label(model, lookup):
    """A column's label; a money column names its unit, since the cells are plain numbers."""
    label = str(column_label(model, lookup))
    try:
        money = is_money(resolve_field(model, lookup))
    except FieldDoesNotExist:
        money = False
    return _("%(label)s(万元)") % {"label": label} if money else label


def export_columns(ui):
    """(header, value of a row) per column: the UI's export columns, else the list's."""
    declared = getattr(ui, "export_columns", None) or [(c, None) for c in ui.columns]
    columns = []
    for lookup, header in declared:
        if callable(lookup):
            columns.append((str(header), lookup))
        else:
            label = str(header) if header else header_label(ui.model, lookup)
            columns.append((label, lambda obj, lookup=lookup: cell(obj, lookup, raw=True)))
    return columns


def export_rows(ui, queryset):
    columns = export_columns(ui)
    yield [header for header, _value in columns]
    for obj in queryset[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        yield [neutralise(value(obj)) for _header, value in columns]


def column_widths(rows):
    """Widths (in characters, a Chinese character counting two) fitted to the header and the first rows."""
    widths = []
    for row in rows:
        for i, value in enumerate(row):
            text = str(value if value is not None else "")
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
            if i == len(widths):
                widths.append(8)
            widths[i] = min(max(widths[i], width), 60)
    return widths


def number_format(value):
    """Thousands separated; decimals only where the value has them (万元 keep every 元)."""
    if isinstance(value, Decimal | float):
        return "#,##0.00####"
    return "#,##0"


def sheet_cells(sheet, row):
    """A row of write-only cells: numbers carry a number format, dates a date format."""
    cells = []
    for value in row:
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            c.number_format = number_format(value)
        elif isinstance(value, dt.date):
            c.number_format = "yyyy-mm-dd"
        cells.append(c)
    return cells


def export_response(ui, queryset, fmt):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{ui.slug}-{stamp}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # BOM: Excel on Chinese Windows then reads UTF-8 correctly
        writer = csv.writer(buffer)
        for row in export_rows(ui, queryset):
            writer.writerow(row)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(ui.label)[:31])
        rows = export_rows(ui, queryset)
        # A write-only sheet takes its widths and frozen header before any row: fit them to the first rows.
        first = list(itertools.islice(rows, WIDTH_SAMPLE))
        for index, width in enumerate(column_widths(first), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for row in itertools.chain(first, rows):
            sheet.append(sheet_cells(sheet, row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def workbook_response(filename, sheets):
    """An XLSX of several sheets, each ``(title, header, rows)``; text cells neutralised like every export."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets or [("-", [], [])]:
        sheet = workbook.create_sheet(str(title)[:31])
        sheet.append([neutralise(str(h)) for h in header])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
