"""The entry grid: a year of one ledger model's monthly records typed in at once, a row per parent row.

A ``LedgerUI`` whose model is kept month by month (case counts) declares a ``LedgerGrid``: which parent
opens it (a town), its rows (the town's powers in force that year), the fields of a cell, and the
service that saves a row. The page is a plain form, usable without JavaScript; ``static/js/grid.js``
adds moving between cells by arrow keys and Enter. Each changed row is saved on its own, all or nothing,
so a refused row keeps what the clerk typed and writes nothing, while the other rows are saved.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.scoping import can_edit, editable_q, visible
from core.units import format_month

MONTHS = range(1, 13)


@dataclass
class LedgerGrid:
    """How a model's monthly records are entered in a grid of parent's rows × the 12 months of a year.

    ``rows(parent, year, user)``: the rows, each with ``months`` (those open for entry);
    ``cells(rows, year)``: {(row pk, month): record}; ``save_row(user, row, year, typed)`` saves a row's
    typed months {month: {field: text, "version": text}} or raises ``refused`` carrying ``errors``
    {month: [messages]}; ``row_label(row)``: (name, code) shown at the row's head.
    """

    parent_model: type
    fields: tuple
    rows: Callable
    cells: Callable
    save_row: Callable
    refused: type
    row_label: Callable
    title: str = ""


def cell_name(row_pk, month, field):
    return f"r{row_pk}-m{month}-{field}"


def version_name(row_pk):
    """One hidden input a row: the versions of its 12 months as shown, comma-separated (blank: none)."""
    return f"r{row_pk}-v"


def grid_year(request):
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and 2000 <= int(year) <= 2099 else timezone.localdate().year


class GridPage:
    """The grid's one view: GET shows the year, POST saves each row whose typed values changed."""

    def __init__(self, ui):
        self.ui, self.grid = ui, ui.grid

    def __call__(self, request, parent=None):
        grid = self.grid
        # The chooser only lists links; the grid itself takes its rows by POST.
        allowed = ("GET", "HEAD") if parent is None else ("GET", "HEAD", "POST")
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        if parent is None:
            return self.choose(request)
        parent = get_object_or_404(visible(request.user, grid.parent_model), pk=parent)
        if not can_edit(request.user, parent):
            raise PermissionDenied
        year = grid_year(request)
        typed, errors, status = {}, {}, 200
        if request.method == "POST":
            posted = [
                int(k[1:-2]) for k in request.POST if k.startswith("r") and k.endswith("-v") and k[1:-2].isdigit()
            ]
            # Only the rows sent are read to save them: a row's save costs the same in any size of grid.
            rows = list(grid.rows(parent, year, request.user, only=posted))
            records = grid.cells(rows, year)
            saved = 0
            for row in rows:
                cells = self._typed_row(request.POST, row, records)
                if cells is None:
                    continue
                try:
                    saved += bool(grid.save_row(request.user, row, year, cells))
                except grid.refused as refused:
                    typed[row.pk], errors[row.pk] = cells, refused.errors
            if not errors:
                messages.success(request, _("已保存 %(n)s 行。") % {"n": saved} if saved else _("没有需要保存的修改。"))
                return redirect(f"{request.path}?year={year}")
            messages.error(request, _("%(n)s 行未保存,请按格中的提示修改;其余行已保存。") % {"n": len(errors)})
            status = 400
        rows = list(grid.rows(parent, year, request.user))
        records = grid.cells(rows, year)  # after a save: the saved rows as they are now
        # Computed per request: the page is shared by every request, in the language each asks for.
        labels = [(f, self.ui.model._meta.get_field(f).verbose_name) for f in grid.fields]
        month_labels = {m: _("%(m)s月") % {"m": m} for m in MONTHS}
        context = {
            "ui": self.ui,
            "grid": grid,
            "parent": parent,
            "year": year,
            "years": [year - 1, year + 1],
            "months": [format_month(dt.date(year, m, 1)) for m in MONTHS],
            "fields": labels,
            "rows": [
                self._row_context(row, records, typed.get(row.pk), errors.get(row.pk, {}), labels, month_labels)
                for row in rows
            ],
            "error_count": len(errors),
        }
        return render(request, "core/ledger_grid.html", context, status=status)

    def choose(self, request):
        """The parents the user may enter a grid for (their towns), each a link to its grid."""
        model = self.grid.parent_model
        parents = visible(request.user, model).filter(editable_q(request.user, model)).order_by("pk")[:500]
        context = {"ui": self.ui, "grid": self.grid, "parents": parents, "year": grid_year(request)}
        return render(request, "core/ledger_grid_choose.html", context)

    def _typed_row(self, data, row, records):
        """The row's typed months as the service takes them, or None when the row was not sent or not changed."""
        if version_name(row.pk) not in data:
            return None
        versions = (data[version_name(row.pk)].split(",") + [""] * 12)[:12]
        cells, changed = {}, False
        for month in row.months:
            names = {f: cell_name(row.pk, month, f) for f in self.grid.fields}
            if not any(name in data for name in names.values()):
                continue  # a month not sent is left as it is
            record = records.get((row.pk, month))
            values = {f: data.get(name, "").strip() for f, name in names.items()}
            shown = {f: str(getattr(record, f)) if record else "" for f in self.grid.fields}
            version = versions[month - 1].strip()
            if values != shown or version != (str(record.version) if record else ""):
                changed = True
            cells[month] = {**values, "version": version}
        return cells if changed else None

    def _row_context(self, row, records, typed, errors, labels, month_labels):
        """A row's head and its 12 cells as HTML.

        Built here rather than by a template loop: a year of 300 powers is 7,200 inputs, which the template
        engine renders several times slower than these escaped strings.
        """
        name, code = self.grid.row_label(row)
        cells, versions = [], []
        for month in MONTHS:
            record = records.get((row.pk, month))
            versions.append(str(record.version) if record else "")
            if month not in row.months:
                cells.append(self.closed_cell)
                continue
            values = typed[month] if typed and month in typed else None
            month_errors = errors.get(month, [])
            invalid = ' aria-invalid="true"' if month_errors else ""
            inputs = "".join(
                '<input name="{}" value="{}" inputmode="numeric" size="4" aria-label="{}"{}>'.format(
                    cell_name(row.pk, month, f),
                    escape(values[f] if values else (getattr(record, f) if record else "")),
                    escape(f"{name} {month_labels[month]} {label}"),
                    invalid,
                )
                for f, label in labels
            )
            if month_errors:
                message = escape(" ".join(str(e) for e in month_errors))
                cells.append(
                    f'<td class="cell-refused">{inputs}<div class="errors cell-error" role="alert">{message}</div></td>'
                )
            else:
                cells.append(f"<td>{inputs}</td>")
        # A refused row carries the versions saved now: its messages showed what changed, so sending the
        # typed values again re-applies them knowingly, as the single form's conflict page does.
        return {
            "pk": row.pk,
            "name": name,
            "code": code,
            "cells": mark_safe("".join(cells)),  # noqa: S308 (every value above is escaped)
            "version_name": version_name(row.pk),
            "versions": ",".join(versions),
            "refused": bool(errors),
        }

    @property
    def closed_cell(self):
        return format_html('<td class="closed-month muted" title="{}">—</td>', _("本月事项未生效"))
