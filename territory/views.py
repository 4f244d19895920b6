"""Browser pages: lists and their items, time limits, calls with their timeline and steps, inboxes, import."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.history import history_rows
from core.scoping import can_edit, visible
from core.services import VersionConflict
from core.ui import LedgerUI
from core.ui_values import cell
from delegation.importing import ImportFileError, read_table, template_workbook

from . import filters, forms, importing, models, selectors, services

NS = "territory"

lists = LedgerUI(
    model=models.ResponsibilityList,
    filterset=filters.ResponsibilityListFilterSet,
    form=forms.ResponsibilityListForm,
    slug="lists",
    columns=["title", "county__name", "batch", "issued_on", "in_force_from", "in_force_until"],
    select_related=("county",),
    namespace=NS,
)
items = LedgerUI(
    model=models.ResponsibilityItem,
    filterset=filters.ResponsibilityItemFilterSet,
    form=forms.ResponsibilityItemForm,
    slug="items",
    columns=[
        "responsibility_list__batch",
        "number",
        "name",
        "category",
        "main_unit",
        "main_department__name",
        "cooperating_units",
        "withdrawn_on",
    ],
    select_related=("responsibility_list", "main_department"),
    namespace=NS,
)
policies = LedgerUI(
    model=models.CallPolicy,
    filterset=filters.CallPolicyFilterSet,
    form=forms.CallPolicyForm,
    slug="policies",
    columns=["county__name", "accept_hours_normal", "close_hours_normal", "accept_hours_urgent", "on_time_threshold"],
    select_related=("county",),
    namespace=NS,
)


class CallUI(LedgerUI):
    """Calls list and export like every ledger; their page is the timeline with the steps the user may take."""

    def urls(self):
        return [p for p in super().urls() if p.name != f"{self.slug}_detail"] + [
            path(f"{self.slug}/<int:pk>/", call_page, name=f"{self.slug}_detail"),
        ]


calls = CallUI(
    model=models.Call,
    filterset=filters.CallFilterSet,
    form=None,
    slug="calls",
    columns=[
        "raised_at",
        "town__name",
        "department__name",
        "subject",
        "urgency",
        "state",
        "accept_due",
        "close_due",
        "rating",
    ],
    select_related=("town", "department"),
    namespace=NS,
)
lists.children = [(items, "responsibility_list")]


# ---------------------------------------------------------------- calls

STEP_FORMS = {
    models.CallStep.Action.ACCEPT: forms.StepForm,
    models.CallStep.Action.RETURN: forms.ReturnForm,
    models.CallStep.Action.DISPUTE: forms.StepForm,
    models.CallStep.Action.WITHDRAW: forms.StepForm,
    models.CallStep.Action.ARBITRATE: forms.ArbitrateForm,
    models.CallStep.Action.RESPOND: forms.RespondForm,
    models.CallStep.Action.CLOSE: forms.StepForm,
    models.CallStep.Action.EVALUATE: forms.EvaluateForm,
}
SERVICES = {
    models.CallStep.Action.ACCEPT: services.call_accept,
    models.CallStep.Action.RETURN: services.call_return,
    models.CallStep.Action.DISPUTE: services.call_dispute,
    models.CallStep.Action.WITHDRAW: services.call_withdraw,
    models.CallStep.Action.ARBITRATE: services.call_arbitrate,
    models.CallStep.Action.RESPOND: services.call_respond,
    models.CallStep.Action.CLOSE: services.call_close,
    models.CallStep.Action.EVALUATE: services.call_evaluate,
}


def _step_form(action, user, data=None, call=None):
    form_class = STEP_FORMS[action]
    kwargs = {"user": user} if form_class is forms.ArbitrateForm else {}
    initial = {"version": call.version} if call is not None else None
    return form_class(data, initial=initial, prefix=action, **kwargs)


def _steps_for(user, call, bound=None):
    """The steps ``user`` may take on ``call`` now, each with its form (``bound`` the one just posted)."""
    steps = []
    for action, states in services.FROM_STATES.items():
        if call.state not in states or not services.SIDES[action](user, call):
            continue
        form = bound if bound is not None and bound.prefix == action else _step_form(action, user, call=call)
        steps.append({"action": action, "label": models.CallStep.Action(action).label, "form": form})
    if bound is not None and bound.prefix not in {step["action"] for step in steps}:
        # A step no longer open (posted from a stale page) is shown with why it was refused.
        steps.append({"action": bound.prefix, "label": models.CallStep.Action(bound.prefix).label, "form": bound})
    return steps


def _render_call(request, call, bound=None, status=200):
    fields = [
        (models.Call._meta.get_field(name).verbose_name, cell(call, name))
        for name in (
            "town",
            "department",
            "item",
            "subject",
            "place",
            "description",
            "urgency",
            "state",
            "raised_at",
            "accept_due",
            "accepted_at",
            "close_due",
            "closed_at",
            "returned_reason",
            "ruling",
            "response",
            "rating",
            "rating_comment",
            "external_id",
        )
    ]
    context = {
        "ui": calls,
        "obj": call,
        "fields": fields,
        "timeline": selectors.timeline(call),
        "steps": _steps_for(request.user, call, bound),
        "history": history_rows(call),
    }
    return render(request, "territory/call_page.html", context, status=status)


@login_required
@require_safe
def call_page(request, pk):
    """A call's details, its timeline (who did what, when) and the steps the user may take next."""
    call = get_object_or_404(selectors.call_list(user=request.user), pk=pk)
    return _render_call(request, call)


@login_required
@require_POST
def call_step(request, pk, action):
    """Take one step of a call; a refused step shows the call again with the reason at its field."""
    call = get_object_or_404(selectors.call_list(user=request.user), pk=pk)
    if action not in SERVICES:
        raise PermissionDenied
    form = _step_form(action, request.user, request.POST)
    if not form.is_valid():
        return _render_call(request, call, form, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        SERVICES[action](user=request.user, call=call, expected_version=form.cleaned_data["version"], **data)
    except VersionConflict:
        messages.error(request, _("该呼叫在您打开页面后已有新的办理环节,请查看后再操作。"))
        return redirect(calls.url("detail", call.pk))
    except ValidationError as error:
        _errors_to_form(form, error)
        return _render_call(request, call, form, status=400)
    messages.success(request, _("已%(action)s。") % {"action": models.CallStep.Action(action).label})
    return redirect(calls.url("detail", call.pk))


def _errors_to_form(form, error):
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def call_raise(request):
    """A town clerk (or the county office, for a town) calls a county department."""
    if not services.raises_calls(request.user):
        raise PermissionDenied
    form = forms.CallRaiseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            call, _created = services.call_raise(user=request.user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("town", _("您无权以该镇名义呼叫。"))
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("已呼叫%(department)s。") % {"department": call.department})
            return redirect(calls.url("detail", call.pk))
    return render(request, "territory/call_raise.html", {"form": form})


@login_required
@require_safe
def inbox(request):
    """The user's boxes: a department's queue, a town's calls by state, the county office's board."""
    counts = selectors.inbox_counts(user=request.user)
    boxes = [
        {"key": key, "label": label, "count": counts[key], "url": f"{calls.url('list')}?box={key}"}
        for key, label in selectors.Box.LABELS.items()
    ]
    context = {"boxes": boxes, "can_raise": _may_raise(request.user), "all_url": calls.url("list")}
    return render(request, "territory/inbox.html", context)


def _may_raise(user):
    return services.raises_calls(user)


# ---------------------------------------------------------------- import

SESSION_KEY = "territory_import"


@login_required
def item_import(request):
    """Upload a list's items, see each row's problems, then confirm the import."""
    if not request.user.can_edit:
        raise PermissionDenied
    form = forms.ItemImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["responsibility_list"]
        try:
            rows = read_table(form.cleaned_data["file"], importing.ITEM_COLUMNS)
        except ImportFileError as e:
            form.add_error("file", str(e))
        else:
            result = importing.item_import(user=request.user, responsibility_list=target, rows=rows, dry_run=True)
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {"rows": rows, "token": token, "list": target.pk}
            return render(request, "territory/import_preview.html", {"result": result, "token": token})
    return render(request, "territory/import_upload.html", {"form": form})


@login_required
@require_POST
def item_import_confirm(request):
    """Write the previewed rows for real, all or nothing."""
    if not request.user.can_edit:
        raise PermissionDenied
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token"):
        messages.error(request, _("没有待确认的导入,或预览已被更新的上传取代,请重新上传文件。"))
        return redirect("territory:item_import")
    target = get_object_or_404(visible(request.user, models.ResponsibilityList), pk=pending["list"])
    if not can_edit(request.user, target):
        raise PermissionDenied
    result = importing.item_import(user=request.user, responsibility_list=target, rows=pending["rows"])
    if not result.ok:
        return render(request, "territory/import_preview.html", {"result": result})
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _("导入完成:新增 %(c)s 条,更新 %(u)s 条,未变 %(n)s 条。")
        % {"c": result.created, "u": result.updated, "n": result.unchanged},
    )
    return redirect(f"{items.url('list')}?responsibility_list={target.pk}")


@login_required
@require_safe
def item_import_template(request):
    content = template_workbook(importing.ITEM_COLUMNS, importing.item_notes())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="responsibility-items-template.xlsx"'
    return response
