"""Searchable pickers of regions and towns (names with their codes), limited to the user's scope.

Every picker is a plain ``<select>`` (pages work without JavaScript); ``static/js/pickers.js`` turns
each ``select[data-picker]`` into a Tom Select box one types into. A scope too large to list in every
page (a province's 2,000 towns) renders only the chosen option and names the lookup endpoint, which
searches within the same scope; choosing a county first narrows the town list to it, without JS too.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core.registry import region_model, town_model
from core.scoping import NOTHING, at_or_under, visible

# Above this many options a filter lists only the chosen one and searches through the lookup endpoint.
# Measured on a ledger list as a province reviewer with 2,373 towns: all inline, 312 ms and 145 KiB a
# page; with the lookup, 121 ms and 7 KiB, and a search of the lookup 44 ms.
INLINE_MAX = 300
LOOKUP_LIMIT = 50
ASSETS = ("vendor/tom-select/js/tom-select.complete.min.js", "vendor/tom-select/css/tom-select.default.min.css")


def label(obj):
    """A row as a picker shows it: its name, its code beside it where it has one."""
    code = getattr(obj, "code", None)
    return f"{obj} {code}" if code else str(obj)


def use_pickers(form):
    """Make each related-row field of ``form`` shown as a plain select a searchable picker (still a <select>)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and type(field.widget) is forms.Select:
            field.widget = PickerSelect(attrs=field.widget.attrs)
            field.label_from_instance = label
            field.widget.choices = field.choices  # a field hands its choices to its widget only when set


class PickerSelect(forms.Select):
    """A ``<select>`` marked for the picker script, rendered without a template per option.

    Django renders each option through the template engine; thousands of options then cost a page
    tens of milliseconds, where joining strings costs one or two.
    """

    def __init__(self, attrs=None, choices=(), lookup=None):
        attrs = {"data-picker": "", **(attrs or {})}
        if lookup:
            attrs["data-lookup"] = lookup
        super().__init__(attrs, choices)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), mark_safe(" selected") if str(v) in chosen else "", text) for v, text in self.choices),
        )
        return format_html(
            "<select{}>{}</select>", flatatt({**self.build_attrs(self.attrs, attrs), "name": name}), options
        )


def regions(user, level=None):
    """The regions whose data ``user`` may filter by: theirs and those under it (all for the administrator)."""
    model = region_model()
    if not user.is_authenticated:
        q = NOTHING
    elif user.is_system_admin:
        q = Q()
    elif user.region_id is None:
        q = NOTHING
    else:
        q = at_or_under("", user.region_id)
    qs = model.objects.filter(q).order_by("code")
    return qs.filter(level=level) if level else qs


def towns(user, within=""):
    """The towns ``user`` sees, under the region coded ``within`` when given."""
    qs = visible(user, town_model()).order_by("code")
    if within:
        qs = qs.filter(at_or_under("county", within, by="code"))
    return qs


KINDS = {
    "region": lambda user, within: regions(user),
    "county": lambda user, within: regions(user, level="county"),
    "town": towns,
}


def search(qs, text):
    text = text.strip()
    return qs.filter(Q(name__icontains=text) | Q(code__startswith=text)) if text else qs


class LazyPickerSelect(PickerSelect):
    """A picker whose options are read when it is rendered, not when its FilterSet is built.

    The API builds the same FilterSets (with the request) and never renders them: it runs no query here.
    """

    def __init__(self, source):
        super().__init__()
        self.source = source

    def render(self, name, value, attrs=None, renderer=None):
        choices, extra = self.source()
        self.choices = choices
        self.attrs.update(extra)
        return super().render(name, value, attrs, renderer)


def _options(kind, rows, chosen_qs, value, within):
    """Every option inline when few, else only the chosen one and the lookup endpoint (as widget attrs)."""
    empty = [("", _("全部"))]
    if len(rows) <= INLINE_MAX:
        return empty + [(code, f"{name} {code}") for code, name in rows], {}
    chosen = [(code, f"{name} {code}") for code, name in chosen_qs.filter(code=value).values_list("code", "name")]
    url = reverse("picker_lookup", args=[kind]) + (f"?within={within}" if within else "")
    return empty + chosen, {"data-lookup": url, "data-placeholder": _("输入名称或代码搜索")}


def filter_widgets(user, data, names):
    """The pickers of the code filters ``names`` (region, county, town): two queries for all three, when shown.

    The town list narrows to the county or region chosen in ``data``.
    """
    value = {name: (data.get(name) or "").strip() for name in ("region", "county", "town")}
    within = value["county"] or value["region"]
    region_rows = []

    def regions_read():
        if not region_rows:
            region_rows.append(list(regions(user).values_list("code", "name", "level")[: INLINE_MAX + 1]))
        return region_rows[0]

    def region_source():
        rows = [(c, n) for c, n, _level in regions_read()]
        return _options("region", rows, regions(user), value["region"], "")

    def county_source():
        rows = regions_read()
        # When the regions are too many to list, so may the counties be: they are searched too.
        county_rows = [(c, n) for c, n, level in rows if level == "county"] if len(rows) <= INLINE_MAX else rows
        return _options("county", county_rows, regions(user, level="county"), value["county"], "")

    def town_source():
        town_qs = towns(user, within)
        rows = list(town_qs.values_list("code", "name")[: INLINE_MAX + 1])
        return _options("town", rows, town_qs, value["town"], within)

    sources = {"region": region_source, "county": county_source, "town": town_source}
    return {name: LazyPickerSelect(sources[name]) for name in names}


@require_safe
@login_required
def lookup(request, kind):
    """JSON for a picker: up to 50 regions or towns in the user's scope whose name or code matches ``q``."""
    if kind not in KINDS:
        raise Http404
    qs = search(KINDS[kind](request.user, request.GET.get("within", "").strip()), request.GET.get("q", ""))
    results = [
        {"value": code, "text": f"{name} {code}"} for code, name in qs.values_list("code", "name")[:LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": results})


def assets_available():
    return all(finders.find(path) is not None for path in ASSETS)
