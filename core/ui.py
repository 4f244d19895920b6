"""Browser views shared by every ledger list: filter, sort, page, export, detail, create, edit, delete.

Each app declares one ``LedgerUI`` per model in its ``views.py`` (model, FilterSet, form, columns)
and registers it in its ``ledger.py`` (``core.registry``), which gives it the same pages. Reads go
through ``core.scoping.visible``; writes through ``core.services``; so the browser obeys exactly the
rules the API obeys.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from core import services
from core.export import export_response
from core.forms import VersionForm
from core.grid import GridPage, LedgerGrid
from core.history import history_rows
from core.pickers import PickerSelect
from core.registry import ledger_for
from core.scoping import can_edit, visible
from core.signals import data_exported, saved_record_alerts
from core.ui_values import cell, column_label, resolve_field

PAGE_SIZE = 50


@dataclass
class LedgerUI:
    """How one model appears in the browser."""

    model: type
    filterset: type
    form: type
    slug: str
    columns: list
    select_related: tuple = ()
    namespace: str = ""
    # (child LedgerUI, its ForeignKey to this model, which is also a filter of the child's FilterSet)
    children: list = field(default_factory=list)
    # A template extending core/ledger_detail.html, for a model whose page shows more than its fields.
    detail_template: str = "core/ledger_detail.html"
    # What the spreadsheet export holds when it is more than the list's columns: (lookup or function of
    # the row, header or None for the field's label); ``export_queryset`` adds what those need.
    export_columns: list = field(default_factory=list)
    export_queryset: Callable | None = None
    # A ``core.grid.LedgerGrid`` when the model's monthly records are also typed in a year at a time.
    grid: LedgerGrid | None = None

    @property
    def label(self):
        return self.model._meta.verbose_name

    def url(self, action, *args):
        return reverse(f"{self.namespace}:{self.slug}_{action}", args=args)

    def queryset(self, user):
        return visible(user, self.model).select_related(*self.select_related)

    @property
    def writable(self):
        return self.form is not None

    def urls(self):
        """List, export and detail; create, edit and delete too when the model has a form."""
        views = LedgerViews(self)
        patterns = [
            path(f"{self.slug}/", views.list, name=f"{self.slug}_list"),
            path(f"{self.slug}/export.<str:fmt>", views.export, name=f"{self.slug}_export"),
            path(f"{self.slug}/<int:pk>/", views.detail, name=f"{self.slug}_detail"),
        ]
        if not self.writable:
            return patterns
        if self.grid is not None:
            grid = login_required(GridPage(self))
            patterns.append(path(f"{self.slug}/grid/", grid, name=f"{self.slug}_grid_choose"))
            patterns.append(path(f"{self.slug}/grid/<int:parent>/", grid, name=f"{self.slug}_grid"))
        return [
            *patterns,
            path(f"{self.slug}/new/", views.create, name=f"{self.slug}_create"),
            path(f"{self.slug}/<int:pk>/edit/", views.update, name=f"{self.slug}_update"),
            path(f"{self.slug}/<int:pk>/delete/", views.delete, name=f"{self.slug}_delete"),
        ]


RANGE_LABELS = {"gte": gettext_lazy("%(field)s 起"), "lte": gettext_lazy("%(field)s 止")}


def prepare_filters(filterset, user):
    """Scope every choice of related rows to the user; label range bounds 起 / 止.

    django-filter offers all rows of a related model and labels a bound in English ("is greater than").
    """
    for name, flt in filterset.filters.items():
        if isinstance(flt, django_filters.ModelChoiceFilter):
            model = flt.queryset.model
            flt.queryset = visible(user, model)
            entry = ledger_for(model)
            if entry is not None and entry.picked_by_number:
                # Thousands of rows make no drop-down: the record number is typed (links fill it in).
                flt.extra["widget"] = forms.NumberInput
            else:
                flt.extra["widget"] = PickerSelect
        if flt.lookup_expr in RANGE_LABELS and not flt.extra.get("label"):
            try:
                field = resolve_field(filterset._meta.model, flt.field_name).verbose_name
            except FieldDoesNotExist:
                field = name
            flt.label = RANGE_LABELS[flt.lookup_expr] % {"field": field}


def filtered(ui, request):
    """The user's visible rows, filtered by the app's FilterSet and sorted as asked."""
    fs = ui.filterset(request.GET or None, queryset=ui.queryset(request.user), request=request)
    prepare_filters(fs, request.user)
    # An invalid filter (a row outside the user's scope, a malformed date) shows nothing, not everything.
    qs = fs.qs if not fs.is_bound or fs.is_valid() else fs.queryset.none()
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ui.columns:
        qs = qs.order_by(sort, "pk")
    elif not qs.ordered:
        qs = qs.order_by("pk")
    return fs, qs


def query_without(request, *keys):
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


class LedgerViews:
    """The six pages of one ``LedgerUI``; each is a thin view over scoping, services and templates."""

    def __init__(self, ui):
        self.ui = ui
        for name in ("list", "export", "detail", "create", "update", "delete"):
            view = getattr(self, f"_{name}")
            if name in ("list", "export", "detail"):
                view = require_safe(view)  # pages that only read answer a POST with 405
            setattr(self, name, login_required(view))

    def _list(self, request):
        ui = self.ui
        fs, qs = filtered(ui, request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        headers = [
            {
                "key": c,
                "label": column_label(ui.model, c),
                "sort": c,
                "active": request.GET.get("sort", "").lstrip("-") == c,
            }
            for c in ui.columns
        ]
        rows = [{"obj": o, "cells": [cell(o, c) for c in ui.columns]} for o in page.object_list]
        return render(
            request,
            "core/ledger_list.html",
            {
                "ui": ui,
                "filter": fs,
                "page": page,
                "headers": headers,
                "rows": rows,
                "sort": request.GET.get("sort", ""),
                "query_no_page": query_without(request, "page"),
                "query_no_sort": query_without(request, "page", "sort"),
                "query": request.GET.urlencode(),
                "can_create": ui.writable and request.user.can_edit,
            },
        )

    def _export(self, request, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        _fs, qs = filtered(self.ui, request)
        if self.ui.export_queryset is not None:
            qs = self.ui.export_queryset(qs)
        data_exported.send(sender=self.ui.model, user=request.user, what=self.ui.slug, fmt=fmt, query=request.GET)
        return export_response(self.ui, qs, fmt)

    def _object(self, request, pk):
        return get_object_or_404(self.ui.queryset(request.user), pk=pk)

    def _detail(self, request, pk):
        obj = self._object(request, pk)
        fields = [
            (f.verbose_name, cell(obj, f.name))
            for f in self.ui.model._meta.concrete_fields
            if f.name not in ("id", "is_generated")
        ]
        return render(
            request,
            self.ui.detail_template,
            {
                "ui": self.ui,
                "obj": obj,
                "fields": fields,
                "history": history_rows(obj),
                "children": self._children(request, obj),
                "editable": self.ui.writable and can_edit(request.user, obj),
            },
        )

    def _children(self, request, obj):
        """Links to the rows that belong to ``obj`` (an organ's nameplates, a plan's tasks)."""
        return [
            {
                "label": child.model._meta.verbose_name_plural,
                "count": child.queryset(request.user).filter(**{fk: obj}).count(),
                "list_url": f"{child.url('list')}?{fk}={obj.pk}",
                "create_url": f"{child.url('create')}?{fk}={obj.pk}"
                if child.writable and can_edit(request.user, obj)
                else None,
            }
            for child, fk in self.ui.children
        ]

    def _create(self, request):
        if not request.user.can_edit:
            raise PermissionDenied
        ui = self.ui
        initial = {k: request.GET[k] for k in request.GET if k in ui.form.base_fields}
        form = ui.form(request.POST or None, initial=initial, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                obj = services.record_create(ui.model, user=request.user, data=form.model_data())
            except ValidationError as e:
                form.add_error(None, e)
            else:
                announce_save(request, ui, obj, created=True)
                return redirect(ui.url("detail", obj.pk))
        return render(request, "core/ledger_form.html", {"ui": ui, "form": form})

    def _editable_object(self, request, pk):
        obj = self._object(request, pk)
        if not can_edit(request.user, obj):
            raise PermissionDenied
        return obj

    def _update(self, request, pk):
        ui = self.ui
        obj = self._editable_object(request, pk)
        form = ui.form(request.POST or None, instance=obj, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.record_update(
                    obj, user=request.user, data=form.model_data(), expected_version=form.cleaned_data["version"]
                )
            except services.VersionConflict as conflict:
                return render_conflict(request, ui, form, conflict.current)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                announce_save(request, ui, saved, created=False)
                return redirect(ui.url("detail", saved.pk))
        # A save that did not say which version it read is refused outright, as the API answers 428.
        status = 400 if form.is_bound and "version" in form.errors else 200
        return render(request, "core/ledger_form.html", {"ui": ui, "form": form, "obj": obj}, status=status)

    def _delete(self, request, pk):
        ui = self.ui
        obj = self._editable_object(request, pk)
        if request.method == "POST":
            confirmed = VersionForm(request.POST)
            if not confirmed.is_valid():
                context = {"ui": ui, "obj": obj, "errors": confirmed.errors["version"]}
                return render(request, "core/ledger_delete.html", context, status=400)
            try:
                services.record_delete(obj, user=request.user, expected_version=confirmed.cleaned_data["version"])
            except services.VersionConflict:
                return render(request, "core/ledger_delete.html", {"ui": ui, "obj": obj, "stale": True}, status=409)
            except (ProtectedError, RestrictedError) as e:
                held = e.protected_objects if isinstance(e, ProtectedError) else e.restricted_objects
                used_by = sorted({str(o._meta.verbose_name) for o in held})
                context = {"ui": ui, "obj": obj, "protected": "、".join(used_by)}
                return render(request, "core/ledger_delete.html", context, status=409)
            messages.success(request, _("已删除%(model)s“%(record)s”。") % {"model": ui.label, "record": obj})
            return redirect(ui.url("list"))
        return render(request, "core/ledger_delete.html", {"ui": ui, "obj": obj})


def announce_save(request, ui, obj, *, created):
    """Name the record just saved, then any policy alert it now raises, on the page the save leads to."""
    done = _("已新增%(model)s“%(record)s”。") if created else _("已保存%(model)s“%(record)s”。")
    messages.success(request, done % {"model": ui.label, "record": obj})
    for _receiver, alerts in saved_record_alerts.send(sender=ui.model, instance=obj):
        for alert in alerts:
            messages.warning(request, _("此次保存触发预警:%(alert)s") % {"alert": alert})


def render_conflict(request, ui, form, current):
    """Both versions side by side; the user re-applies theirs over the current one or discards it."""
    data = form.model_data()
    mine = copy.copy(current)
    for name, value in data.items():
        setattr(mine, name, value)
    rows = [{"label": form.fields[name].label, "mine": cell(mine, name), "saved": cell(current, name)} for name in data]
    for row in rows:
        row["differs"] = row["mine"] != row["saved"]
    resubmit = [
        (k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken", "version") for v in values
    ]
    return render(
        request,
        "core/ledger_conflict.html",
        {"ui": ui, "obj": current, "rows": rows, "resubmit": resubmit, "version": current.version},
        status=409,
    )
