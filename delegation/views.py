"""Browser pages for departments, power items, catalogues and their editions, delegated powers and case counts."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from core.forms import UploadForm
from core.grid import LedgerGrid
from core.scoping import visible
from core.ui import LedgerUI
from reforms.models import Town

from . import filters, forms, importing, models, selectors, services
from .selectors import DerivedState, with_derived_state

NS = "delegation"


def _headers(columns):
    return {c.key: c.header for c in columns}


CATALOGUE = _headers(importing.CATALOGUE_COLUMNS)
CASE_COUNT = _headers(importing.CASE_COUNT_COLUMNS)


def _derived_state(power):
    return str(DerivedState.LABELS.get(getattr(power, "derived_state", None), ""))


# The import template's columns first, under its headers, so that an export imports again unchanged;
# then what the office reads besides: codes, take-over details and the derived running state.
POWER_EXPORT = [
    ("town__code", gettext_lazy("镇代码")),
    ("town__name", None),
    ("item__source_department__name", CATALOGUE["department"]),
    ("item__name", CATALOGUE["name"]),
    ("item__type_code", CATALOGUE["type_code"]),
    ("item__implementation_code", CATALOGUE["implementation_code"]),
    ("item__local_code", CATALOGUE["local_code"]),
    ("item__source", CATALOGUE["source"]),
    ("item__legal_basis", CATALOGUE["legal_basis"]),
    ("mode", CATALOGUE["mode"]),
    ("delegated_on", CATALOGUE["delegated_on"]),
    ("take_over_status", CATALOGUE["take_over_status"]),
    ("take_over_on", None),
    ("not_taken_over_reason", None),
    ("receiving_organ__name", None),
    (_derived_state, gettext_lazy("运行状态")),
    ("catalogue__title", None),
    ("is_generated", None),
]
CASE_COUNT_EXPORT = [
    ("power__town__code", CASE_COUNT["town_code"]),
    ("power__town__name", None),
    ("power__item__implementation_code", CASE_COUNT["implementation_code"]),
    ("power__item__name", None),
    ("month", CASE_COUNT["month"]),
    ("handled_by", CASE_COUNT["handled_by"]),
    ("accepted", CASE_COUNT["accepted"]),
    ("closed", CASE_COUNT["closed"]),
    ("is_generated", None),
]

departments = LedgerUI(
    model=models.Department,
    filterset=filters.DepartmentFilterSet,
    form=forms.DepartmentForm,
    slug="departments",
    columns=["name", "county__name"],
    select_related=("county",),
    namespace=NS,
)
items = LedgerUI(
    model=models.PowerItem,
    filterset=filters.PowerItemFilterSet,
    form=forms.PowerItemForm,
    slug="items",
    columns=["name", "type_code", "implementation_code", "local_code", "source", "source_department__name"],
    select_related=("source_department",),
    namespace=NS,
)
catalogues = LedgerUI(
    model=models.DelegationCatalogue,
    filterset=filters.DelegationCatalogueFilterSet,
    form=forms.DelegationCatalogueForm,
    slug="catalogues",
    columns=["title", "county__name", "town__name", "issued_on", "edition", "declared_total"],
    select_related=("county", "town"),
    namespace=NS,
)
powers = LedgerUI(
    model=models.DelegatedPower,
    filterset=filters.DelegatedPowerFilterSet,
    form=forms.DelegatedPowerForm,
    slug="powers",
    columns=[
        "town__name",
        "item__name",
        "item__type_code",
        "item__source_department__name",
        "mode",
        "delegated_on",
        "take_over_status",
        "take_over_on",
    ],
    select_related=("town", "item__source_department"),
    namespace=NS,
    detail_template="delegation/power_detail.html",
    export_columns=POWER_EXPORT,
    export_queryset=lambda qs: with_derived_state(qs.select_related("catalogue", "receiving_organ")),
)


def _grid_powers(town, year, user, only=None):
    """The town's powers in force in ``year`` (name and 实施编码 beside), each with its open months;
    ``only`` limits them to these record numbers (the rows a save sent)."""
    powers = selectors.powers_of_year(visible(user, models.DelegatedPower).filter(town=town), year)
    if only is not None:
        powers = powers.filter(pk__in=only)
    powers = list(powers.select_related("item", "town").order_by("item__implementation_code", "item__name", "pk"))
    for power in powers:
        power.months = selectors.months_in_force(power, year)
    return powers


def _grid_save_row(user, power, year, cells):
    return services.case_count_row_save(user=user, power=power, year=year, cells=cells)


CASE_COUNT_GRID = LedgerGrid(
    parent_model=Town,
    fields=("accepted", "closed"),
    rows=_grid_powers,
    cells=selectors.case_counts_of_year,
    save_row=_grid_save_row,
    refused=services.RowRefused,
    row_label=lambda power: (power.item.name, power.item.implementation_code),
    title=gettext_lazy("办件量录入表(镇办理)"),
)

case_counts = LedgerUI(
    model=models.MonthlyCaseCount,
    filterset=filters.MonthlyCaseCountFilterSet,
    form=forms.MonthlyCaseCountForm,
    slug="case-counts",
    columns=["power__town__name", "power__item__name", "month", "handled_by", "accepted", "closed"],
    select_related=("power__town", "power__item"),
    namespace=NS,
    export_columns=CASE_COUNT_EXPORT,
    grid=CASE_COUNT_GRID,
)

trainings = LedgerUI(
    model=models.Training,
    filterset=filters.TrainingFilterSet,
    form=forms.TrainingForm,
    slug="trainings",
    columns=["held_on", "town__name", "department__name", "topic", "attendees"],
    select_related=("town", "department"),
    namespace=NS,
)
training_coverage = LedgerUI(
    model=models.TrainingCoverage,
    filterset=filters.TrainingCoverageFilterSet,
    form=forms.TrainingCoverageForm,
    slug="training-coverage",
    columns=["training__held_on", "training__topic", "training__department__name", "power__item__name"],
    select_related=("training__department", "power__item"),
    namespace=NS,
)
inspections = LedgerUI(
    model=models.InspectionRound,
    filterset=filters.InspectionRoundFilterSet,
    form=forms.InspectionRoundForm,
    slug="inspections",
    columns=["title", "region__name", "kind", "held_on", "excellent_from", "good_from", "pass_from"],
    select_related=("region",),
    namespace=NS,
    detail_template="delegation/inspection_detail.html",
)
score_items = LedgerUI(
    model=models.ScoreItem,
    filterset=filters.ScoreItemFilterSet,
    form=forms.ScoreItemForm,
    slug="score-items",
    columns=["inspection__title", "name", "max_points"],
    select_related=("inspection",),
    namespace=NS,
)
inspection_scores = LedgerUI(
    model=models.InspectionScore,
    filterset=filters.InspectionScoreFilterSet,
    form=forms.InspectionScoreForm,
    slug="inspection-scores",
    columns=["inspection__title", "inspection__held_on", "town__name", "power__item__name", "score", "grade"],
    select_related=("inspection", "town", "power__item"),
    namespace=NS,
    detail_template="delegation/inspection_score_detail.html",
)
item_points = LedgerUI(
    model=models.ItemPoints,
    filterset=filters.ItemPointsFilterSet,
    form=forms.ItemPointsForm,
    slug="item-points",
    columns=["score__inspection__title", "score__town__name", "item__name", "item__max_points", "points"],
    select_related=("score__inspection", "score__town", "item"),
    namespace=NS,
)
findings = LedgerUI(
    model=models.Finding,
    filterset=filters.FindingFilterSet,
    form=forms.FindingForm,
    slug="findings",
    columns=["inspection__title", "town__name", "description", "deadline", "status", "rectified_on"],
    select_related=("inspection", "town"),
    namespace=NS,
)

catalogues.children = [(powers, "catalogue")]
powers.children = [(case_counts, "power"), (training_coverage, "power")]
trainings.children = [(training_coverage, "training")]
inspection_scores.children = [(item_points, "score")]
inspections.children = [(score_items, "inspection"), (inspection_scores, "inspection"), (findings, "inspection")]


# ---------------------------------------------------------------- spreadsheet import

SESSION_KEY = "delegation_import"


def _require_editor(request):
    if not request.user.can_edit:
        raise PermissionDenied


def _preview(request, kind, form, rows, result, context):
    """Keep the parsed rows in the session (no model for pending imports) and show what would happen."""
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {"kind": kind, "rows": rows, "token": token, **context}
    return render(request, "delegation/import_preview.html", {"kind": kind, "result": result, "token": token})


@login_required
def catalogue_import(request):
    """Upload a catalogue spreadsheet, see each row's problems, then confirm the import."""
    _require_editor(request)
    form = forms.CatalogueImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        catalogue, town = form.cleaned_data["catalogue"], form.cleaned_data["town"]
        try:
            rows = importing.read_table(form.cleaned_data["file"], importing.CATALOGUE_COLUMNS)
        except importing.ImportFileError as e:
            form.add_error("file", str(e))
        else:
            new_edition = form.cleaned_data["new_edition"]
            result = importing.catalogue_import(
                user=request.user, catalogue=catalogue, town=town, rows=rows, dry_run=True, new_edition=new_edition
            )
            context = {"catalogue": catalogue.pk, "town": town.pk, "new_edition": new_edition}
            return _preview(request, "catalogue", form, rows, result, context)
    return render(request, "delegation/import_upload.html", {"form": form, "kind": "catalogue"})


@login_required
def case_count_import(request):
    """Upload monthly case counts, see each row's problems, then confirm the import."""
    _require_editor(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = importing.read_table(form.cleaned_data["file"], importing.CASE_COUNT_COLUMNS)
        except importing.ImportFileError as e:
            form.add_error("file", str(e))
        else:
            result = importing.case_count_import(user=request.user, rows=rows, dry_run=True)
            return _preview(request, "case_counts", form, rows, result, {})
    towns = visible(request.user, Town).order_by("code")[:500]
    return render(request, "delegation/import_upload.html", {"form": form, "kind": "case_counts", "towns": towns})


@login_required
@require_POST
def import_confirm(request):
    """Write the previewed rows for real, all or nothing."""
    _require_editor(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token"):
        # A preview opened in another tab replaces this one; confirming must not import the other file.
        messages.error(request, _("没有待确认的导入,或预览已被更新的上传取代,请重新上传文件。"))
        return redirect("reforms:my_towns")
    if pending["kind"] == "catalogue":
        catalogue = get_object_or_404(visible(request.user, models.DelegationCatalogue), pk=pending["catalogue"])
        town = get_object_or_404(visible(request.user, Town), pk=pending["town"])
        result = importing.catalogue_import(
            user=request.user,
            catalogue=catalogue,
            town=town,
            rows=pending["rows"],
            new_edition=pending.get("new_edition", False),
        )
        done = f"{reverse('delegation:powers_list')}?town={town.code}"
    else:
        result = importing.case_count_import(user=request.user, rows=pending["rows"])
        done = reverse("delegation:case-counts_list")
    if not result.ok:
        return render(request, "delegation/import_preview.html", {"kind": pending["kind"], "result": result})
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _("导入完成:新增 %(c)s 条,更新 %(u)s 条,未变 %(n)s 条。")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
    )
    return redirect(done)


def _case_count_template(request):
    """Empty, or for ``?town=<code>&year=<year>`` the town's powers × the year's months to fill in."""
    columns, notes = importing.CASE_COUNT_COLUMNS, importing.case_count_notes()
    code = request.GET.get("town")
    if not code:
        return importing.template_workbook(columns, notes, lists=importing.CASE_COUNT_LISTS)
    town = get_object_or_404(visible(request.user, Town), code=code)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2099 else timezone.localdate().year
    powers = visible(request.user, models.DelegatedPower).filter(town=town).select_related("item")
    rows = importing.town_case_count_rows(town, powers.order_by("item__implementation_code", "pk"), year)
    return importing.template_workbook(
        columns,
        notes,
        rows,
        extra_headers=[importing.CATALOGUE_COLUMNS[1].header],
        lists=importing.CASE_COUNT_LISTS,
    )


@login_required
@require_safe
def import_template(request, kind):
    """The empty spreadsheet with Chinese headers that the office fills in."""
    if kind == "catalogue":
        content = importing.template_workbook(
            importing.CATALOGUE_COLUMNS, importing.catalogue_notes(), lists=importing.CATALOGUE_LISTS
        )
    elif kind == "case_counts":
        content = _case_count_template(request)
    else:
        raise Http404
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


# ---------------------------------------------------------------- catalogue editions


def _chosen_edition(editions, value, default):
    return next((e for e in editions if str(e.pk) == value), default)


@login_required
@require_safe
def town_editions(request, pk):
    """A town's catalogue editions, and what changed between any two of them (latest two by default)."""
    town = get_object_or_404(visible(request.user, Town).select_related("county"), pk=pk)
    editions = selectors.town_editions(town)
    context = {"town": town, "editions": editions, "diff": None}
    if len(editions) >= 2:
        older = _chosen_edition(editions, request.GET.get("older"), editions[-2])
        newer = _chosen_edition(editions, request.GET.get("newer"), editions[-1])
        older, newer = sorted([older, newer], key=lambda e: editions.index(e))
        context.update(older=older, newer=newer, diff=selectors.edition_diff(older, newer, town))
    return render(request, "delegation/town_editions.html", context)


# ---------------------------------------------------------------- delegated on paper only


@login_required
@require_safe
def paper_only_evidence(request, pk):
    """A printable page of the months the county department handled a power's cases and the town none."""
    queryset = visible(request.user, models.DelegatedPower).select_related("town", "item__source_department")
    power = get_object_or_404(queryset, pk=pk)
    months = selectors.paper_only_months(power)
    totals = {"accepted": sum(m[1] for m in months), "closed": sum(m[2] for m in months)}
    return render(request, "delegation/paper_only_evidence.html", {"power": power, "months": months, "totals": totals})


# ---------------------------------------------------------------- score sheet


@login_required
def score_sheet(request, pk):
    """A town's points on every item of a round's score sheet, entered on one page; the total is their sum."""
    _require_editor(request)
    inspection = get_object_or_404(visible(request.user, models.InspectionRound), pk=pk)
    items = list(inspection.score_items.all())
    initial = {}
    chosen = request.GET.get("town", "")
    if request.method != "POST" and chosen.isdigit():
        score = (
            visible(request.user, models.InspectionScore)
            .filter(inspection=inspection, town_id=chosen, power__isnull=True)
            .prefetch_related("item_points")
            .first()
        )
        initial["town"] = chosen
        if score is not None:
            initial["remarks"] = score.remarks
            initial.update({f"item_{p.item_id}": p.points for p in score.item_points.all()})
    form = forms.ScoreSheetForm(
        request.POST or None, initial=initial, user=request.user, inspection=inspection, items=items
    )
    if request.method == "POST" and form.is_valid():
        try:
            score = services.score_sheet_save(
                user=request.user,
                inspection=inspection,
                town=form.cleaned_data["town"],
                points=form.points(),
                remarks=form.cleaned_data["remarks"],
            )
        except services.ScoreSheetRejected as e:
            for item_id, message in e.errors.items():
                form.add_error(f"item_{item_id}" if item_id else None, message)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request,
                _("已保存%(town)s的逐项得分:合计 %(score)s 分,%(grade)s。")
                % {"town": score.town.name, "score": score.score, "grade": score.get_grade_display()},
            )
            return redirect("delegation:inspection-scores_detail", score.pk)
    return render(request, "delegation/score_sheet.html", {"inspection": inspection, "items": items, "form": form})
