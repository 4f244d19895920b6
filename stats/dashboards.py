"""What the dashboards show: the figures of a scope as labelled rows, each linked to the ledger rows behind it.

Reads go through ``stats.selectors`` (summary tables only); this module turns them into rows, links,
chart data and spreadsheet sheets, so that the views stay thin and page and export show the same figures.
"""

import datetime as dt
from decimal import Decimal
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.units import WAN_YUAN, format_month, in_unit, trimmed
from delegation.models import DelegatedPower, PowerType
from delegation.selectors import DerivedState, activity_window
from reforms.models import Region

from . import selectors
from .measures import SHOWN, YUAN, Rate, Stored
from .models import Metric, ScopeKind

KIND_OF_LEVEL = {
    Region.Level.PROVINCE: ScopeKind.PROVINCE,
    Region.Level.CITY: ScopeKind.CITY,
    Region.Level.COUNTY: ScopeKind.COUNTY,
}
ECHARTS_FILE = "vendor/echarts/echarts.min.js"


class Row:
    """One figure of the dashboards: its key in the figures dict, label, strand, unit and drill-down link.

    ``places``: decimals shown (None: a count, or money with its cents); ``basis``: what a rate divides
    by, shown beside it; ``missing``: why the figure may have no value; ``money``: an amount in 元, shown in 万元.
    """

    def __init__(self, key, label, strand, link=None, rate=False, places=None, basis=None, missing=None, money=False):
        self.key, self.label, self.strand, self.link, self.rate = key, label, strand, link, rate
        self.places, self.basis, self.missing = places, basis, missing
        # Money is stored in 元 and shown, like everywhere else, in 万元 (core.units).
        self.money = money


def _row(figure):
    """The dashboard row of a figure declared in ``stats.measures``."""
    places = -figure.places.as_tuple().exponent if isinstance(figure, Rate) and not figure.share else None
    rate = isinstance(figure, Rate) and figure.share
    missing, basis = getattr(figure, "missing", None), getattr(figure, "basis", None)
    label = figure.row_label if isinstance(figure, Stored) else figure.label
    money = getattr(figure, "unit", None) == YUAN
    return Row(figure.code, label, figure.strand, figure.link, rate, places, basis, missing, money)


ROWS = [_row(figure) for figure in SHOWN]
ROW_BY_KEY = {row.key: row for row in ROWS}
HEADLINE = [
    "delegated",
    "take_over_rate",
    "running_rate",
    "fill_rate",
    "payment_rate",
    Metric.OPEN_ALERTS,
]
CHILD_COLUMNS = [
    "delegated",
    "take_over_rate",
    "running",
    "unused",
    "not_taken_over",
    "running_rate",
    "fill_rate",
    "payment_rate",
    Metric.OPEN_ALERTS,
]
TREND_KEYS = ["take_over_rate", "running_rate", "fill_rate", "payment_rate"]
STATE_KEYS = [DerivedState.RUNNING, DerivedState.UNUSED, DerivedState.NOT_TAKEN_OVER]


def echarts_available():
    return finders.find(ECHARTS_FILE) is not None


# Scope and period ---------------------------------------------------------------------------------


class Scope:
    """A region or a town whose dashboard is shown, with the query parameter its ledger lists filter by."""

    def __init__(self, kind, obj):
        self.kind, self.obj = kind, obj
        self.pk, self.code, self.name = obj.pk, obj.code, obj.name
        self.param = "town" if kind == ScopeKind.TOWN else "region"

    @property
    def url(self):
        if self.kind == ScopeKind.TOWN:
            return reverse("stats:town", args=[self.code])
        return reverse("stats:region", args=[self.code])

    @property
    def kind_label(self):
        return ScopeKind(self.kind).label


def region_scope(user, code):
    """The region ``code`` if ``user`` may open its dashboard; 404 otherwise (out of scope looks absent)."""
    region = get_object_or_404(selectors.regions_under(user), code=code)
    return Scope(KIND_OF_LEVEL[region.level], region)


def town_scope(user, code):
    return Scope(ScopeKind.TOWN, get_object_or_404(selectors.towns_under(user).select_related("county"), code=code))


def home_region(user):
    """The region a user's dashboard opens on: their own, or for administrators the first province."""
    if user.region_id:
        return user.region
    region = selectors.regions_under(user).filter(level=Region.Level.PROVINCE).order_by("code").first()
    if region is None:
        raise Http404
    return region


def provinces_in_reach(user):
    """The provinces a user may open, when their scope is not one region (administrators)."""
    if user.region_id:
        return []
    return [Scope(ScopeKind.PROVINCE, p) for p in selectors.regions_under(user).filter(level=Region.Level.PROVINCE)]


def provinces_overview(user, raw_period):
    """Every province in reach side by side, each linked to its own dashboard, for one month."""
    provinces = sorted(provinces_in_reach(user), key=lambda s: s.code)
    periods = sorted({p for s in provinces for p in selectors.dashboard_periods(user, s.kind, s.pk)}, reverse=True)
    period, error = choose_period(periods, raw_period)
    figures = selectors.scope_figures(user, ScopeKind.PROVINCE, [s.pk for s in provinces], period) if period else {}
    rows = [{"scope": s, "cells": cells(figures[s.pk], CHILD_COLUMNS, s, period) if period else []} for s in provinces]
    headers = [ROW_BY_KEY[k].label for k in CHILD_COLUMNS]
    return {"provinces": rows, "headers": headers, "periods": periods, "period": period, "period_error": error}


def choose_period(periods, raw, year=""):
    """(period, error): the month asked for as ``YYYY-MM``, the last computed month of ``year`` (its
    year-end figures), or the latest computed month."""
    if year and not raw:
        in_year = [p for p in periods if str(p.year) == year.strip()]
        if in_year:
            return in_year[0], None
        error = _("统计年度“%(value)s”无效或尚未统计,已显示最近月份。") % {"value": year[:20]}
        return (periods[0] if periods else None), error
    if not raw:
        return (periods[0] if periods else None), None
    # Only 'YYYY-MM' or a real date of the month: '2026-10-32' is not read as October.
    text = raw if len(raw) == 10 else f"{raw}-01"
    try:
        wanted = dt.date.fromisoformat(text).replace(day=1) if len(text) == 10 else None
    except ValueError:
        wanted = None
    if wanted in periods:
        return wanted, None
    error = _("统计月份“%(value)s”无效或尚未统计,已显示最近月份。") % {"value": raw[:20]}
    return (periods[0] if periods else None), error


# Links --------------------------------------------------------------------------------------------


def link(row, scope, period):
    """The ledger list (with its FilterSet parameters) behind one figure of one scope; None for ratios."""
    if row.link is None:
        return None
    name, extra = row.link
    query = {scope.param: scope.code, **extra}
    if "derived_state" in extra:
        query["state_as_of"] = period.isoformat()
    if "untrained" in extra:  # counted at the month's end (today for the current month)
        query["state_as_of"] = min(selectors.month_end(period), timezone.localdate()).isoformat()
    if "handled_by" in extra:  # the 12-month window the case figures cover
        first, last = activity_window(period)
        query.update(month_from=first.isoformat(), month_to=last.isoformat())
    return f"{list_path(name)}?{urlencode(query)}"


def list_path(name):
    """``reverse(name)`` of a ledger list without arguments, resolved once per process: a province's
    overview links some 180 figures to a dozen lists, and each ``reverse`` walks the URL patterns."""
    return _list_path(name, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())


@cache
def _list_path(name, urlconf, script_prefix):
    # Keyed by what ``reverse`` reads besides the name, so a cached path is the one it would give.
    return reverse(name, urlconf=urlconf)


def tidy(value):
    """Counts stored as decimals show without ".00"; money keeps its cents."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def display(value, rate=False, places=None, money=False):
    """The figure as printed: thousands separated, rates with one decimal and a percent sign, money in 万元.

    Values arrive rounded half up by ``stats.selectors``; formatting only pads them.
    """
    if value is None:
        return None
    if rate:
        return f"{value:.1f}%"
    if money:
        return trimmed(in_unit(value, WAN_YUAN), 6)
    if places is not None:
        return f"{value:,.{places}f}"
    value = tidy(value)
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"


def year_before(period):
    return period.replace(year=period.year - 1)


def change(value, before, row):
    """The change from the same month a year before, signed (rates in percentage points); None when
    either side has no value."""
    if value is None or before is None:
        return None
    delta = value - before
    if row.money:
        return ("+" if delta >= 0 else "-") + trimmed(in_unit(abs(delta), WAN_YUAN), 6)
    if row.rate or row.places is not None:
        return f"{delta:+.{1 if row.rate else row.places}f}"
    delta = tidy(delta)
    return f"{delta:+,.2f}" if isinstance(delta, Decimal) else f"{delta:+,}"


def cell(figures, key, scope, period, before=None):
    """One figure for a page; ``before``: the scope's figures a year earlier (None: not computed)."""
    row = ROW_BY_KEY[key]
    value = figures.get(key)
    return {
        "change": change(value, before.get(key), row) if before is not None else None,
        "key": key,
        "label": row.label,
        "value": display(value, row.rate, row.places, row.money),
        "url": link(row, scope, period),
        "basis": row.basis,
        "missing": row.missing if value is None else None,
    }


def cells(figures, keys, scope, period, before=None):
    return [cell(figures, k, scope, period, before) for k in keys]


def at_and_year_before(rows, period):
    """(figures at ``period``, figures a year before or None when that month was not computed), from
    ``selectors.history_figures``."""
    return rows[period], rows.get(year_before(period))


def plain(value):
    """JSON- and spreadsheet-friendly number."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def sheet_value(row, value):
    """A figure for a spreadsheet: a number, money in 万元 like the column's label."""
    if row.money and value is not None:
        value = in_unit(value, WAN_YUAN)
    return plain(value)


# Pages --------------------------------------------------------------------------------------------


def _child_scopes(user, scope, child_kind, ids):
    if child_kind == ScopeKind.TOWN:
        objs = selectors.towns_under(user).filter(pk__in=ids).order_by("code")
    else:
        objs = selectors.regions_under(user).filter(pk__in=ids).order_by("code")
    return [Scope(child_kind, o) for o in objs]


def page_alerts(user, period, periods):
    """The region alerts that a region's page counts (``selectors.region_alerts``), read once for its
    month, the month a year before and its trend."""
    return selectors.region_alerts(user, [*periods, year_before(period)])


def overview(user, scope, period, rows, alerts=None):
    """Headline figures, the split per child scope and rankings of one region and month; ``rows`` from
    ``selectors.history_figures``, ``alerts`` from ``page_alerts``, else each part reads its own."""
    figures, before = at_and_year_before(rows, period)
    child_kind, child_figures = selectors.child_scope_figures(user, scope.kind, scope.pk, period, alerts)
    children = [
        {
            "scope": child,
            "cells": cells(child_figures[child.pk], CHILD_COLUMNS, child, period),
            **child_figures[child.pk],
        }
        for child in _child_scopes(user, scope, child_kind, list(child_figures))
    ]
    best, worst, town_count = selectors.town_ranking(user, scope.pk, period)
    return {
        "figures": figures,
        "town_count": town_count,
        "headline": cells(figures, HEADLINE, scope, period),
        "details": cells(figures, [r.key for r in ROWS], scope, period, before),
        "year_before": year_before(period),
        "child_kind_label": ScopeKind(child_kind).label,
        "children": children,
        "child_headers": [ROW_BY_KEY[k].label for k in CHILD_COLUMNS],
        "ranked_by_take_over": sorted(
            (c for c in children if c["take_over_rate"] is not None), key=lambda c: -c["take_over_rate"]
        ),
        "best": best,
        "worst": worst,
        "ranking_blocks": ranking_blocks(best, worst),
        **split_context(user, scope, period, figures),
    }


def split_context(user, scope, period, figures):
    """What the split block of a region's or town's page shows (``stats/_splits.html``)."""
    return {
        "state_split": state_split(figures),
        "share_basis": SHARE_BASIS,
        "running_basis": ROW_BY_KEY["running_rate"].basis,
        "power_splits": power_splits(user, scope, period),
    }


def ranking_blocks(best, worst):
    """Best and worst towns; one list when there are too few towns for the two to differ."""
    if len(best) < selectors.RANKING_LIMIT:
        return [(_("全部镇(按运行率)"), best)]
    return [(_("运行率最高"), best), (_("运行率最低"), worst)]


SHARE_BASIS = gettext_lazy("占比 = 该类事项 ÷ 下放事项")
SHARE_OF_STATE = {
    DerivedState.RUNNING: "running_share",
    DerivedState.UNUSED: "unused_share",
    DerivedState.NOT_TAKEN_OVER: "not_taken_over_share",
}


def state_split(figures):
    """The three-way split of one scope: (label, count, share of all delegated powers) per state."""
    return [(DerivedState.LABELS[k], figures[k], display(figures[SHARE_OF_STATE[k]], rate=True)) for k in STATE_KEYS]


def power_splits(user, scope, period):
    """The scope's powers by power type and by delegation mode: tables and a chart for each."""
    rows = selectors.power_split(user, scope.kind, scope.pk, period)
    splits = []
    for caption, dimension, labels in (
        (_("按权力类型"), "power_type", dict(PowerType.choices)),
        (_("按下放方式"), "mode", dict(DelegatedPower.Mode.choices)),
    ):
        entries = [(str(labels.get(key, key)), values) for key, values in selectors.split_by(rows, dimension)]
        splits.append(
            {
                "caption": caption,
                "id": f"split-{dimension}",
                "rows": [
                    {
                        "label": label,
                        "cells": [values[k] for k in ("delegated", "taken_over", *STATE_KEYS)],
                        "running_rate": display(values["running_rate"], rate=True),
                        "running_share": display(values["running_share"], rate=True),
                    }
                    for label, values in entries
                ],
                "chart": {
                    "categories": [label for label, _values in entries],
                    "series": [
                        {"name": str(DerivedState.LABELS[k]), "data": [v[k] for _l, v in entries], "state": k}
                        for k in STATE_KEYS
                    ],
                },
            }
        )
    return splits


def split_chart(children):
    return {
        "categories": [c["scope"].name for c in children],
        "series": [
            {"name": str(DerivedState.LABELS[k]), "data": [c[k] for c in children], "state": k} for k in STATE_KEYS
        ],
    }


def trend_rows(rows):
    """Every computed month of the scope, oldest first (``selectors.history_figures``): the whole history
    since the reform start."""
    return [{"period": period, **values} for period, values in rows.items()]


def trend_chart(trend):
    return {
        "categories": [format_month(t["period"]) for t in trend],
        "series": [{"name": str(ROW_BY_KEY[k].label), "data": [plain(t[k]) for t in trend]} for k in TREND_KEYS],
    }


def compare_rows(scopes, figures, period):
    """One row per figure, one column per scope, every number linked to its ledger rows."""
    return [
        {
            "label": row.label,
            "strand": row.strand,
            "rate": row.rate,
            "values": [cell(figures[s.pk], row.key, s, period) for s in scopes],
        }
        for row in ROWS
    ]


def compare_chart(scopes, figures):
    return {
        "categories": [s.name for s in scopes],
        "series": [
            {"name": str(ROW_BY_KEY[k].label), "data": [plain(figures[s.pk][k]) for s in scopes]} for k in TREND_KEYS
        ],
    }


# Spreadsheets -------------------------------------------------------------------------------------


def figure_sheet(title, scopes, figures):
    """Rows of figures × columns of scopes, as on the compare page."""
    header = [str(_("指标")), str(_("条线"))] + [s.name for s in scopes]
    rows = [[str(r.label), str(r.strand)] + [sheet_value(r, figures[s.pk].get(r.key)) for s in scopes] for r in ROWS]
    return title, header, rows


def scope_table_sheet(title, first_column, entries):
    """One row per scope (children, ranked towns): name, code, then every figure."""
    header = [str(first_column), str(_("代码"))] + [str(r.label) for r in ROWS]
    rows = [[name, code] + [sheet_value(r, values.get(r.key)) for r in ROWS] for name, code, values in entries]
    return title, header, rows


def trend_sheet(trend):
    header = [str(_("统计月份"))] + [str(r.label) for r in ROWS]
    rows = [[format_month(t["period"])] + [sheet_value(r, t.get(r.key)) for r in ROWS] for t in trend]
    return str(_("月度趋势")), header, rows


def ranking_sheet(best, worst):
    header = [
        str(_("排名")),
        str(_("镇")),
        str(_("代码")),
        str(_("所属县")),
        str(_("下放事项")),
        str(_("承接率")),
        str(_("运行率")),
    ]
    rows = []
    for label, ranked in ((_("运行率最高"), best), (_("运行率最低"), worst)):
        for i, r in enumerate(ranked, 1):
            rows.append(
                [
                    f"{label} {i}",
                    r["town__name"],
                    r["town__code"],
                    r["town__county__name"],
                    r["delegated"],
                    plain(r["take_over_rate"]),
                    plain(r["running_rate"]),
                ]
            )
    return str(_("镇排名")), header, rows


# Compare ------------------------------------------------------------------------------------------

PICKER_LIMIT = 500


def compare_picker(user, kind, within):
    """The scoped choices of the compare form: counties, or towns (of one county when the region is large)."""
    counties = list(
        selectors.regions_under(user).filter(level=Region.Level.COUNTY).select_related("parent").order_by("code")
    )
    if kind == ScopeKind.COUNTY:
        return {
            "counties": counties,
            "options": [(c.code, f"{c.name}({c.parent.name if c.parent else ''})") for c in counties],
        }
    towns = selectors.towns_under(user).select_related("county").order_by("county__code", "code")
    if within:
        towns = towns.filter(county__code=within)
    towns = list(towns[: PICKER_LIMIT + 1])
    return {
        "counties": counties,
        "within": within,
        "truncated": len(towns) > PICKER_LIMIT,
        "options": [(t.code, f"{t.name}({t.county.name})") for t in towns[:PICKER_LIMIT]],
    }


def compare_scopes(user, kind, codes):
    """The scopes to compare, in the order picked; 404 if any is unknown or outside the user's region."""
    if kind == ScopeKind.COUNTY:
        found = selectors.regions_under(user).filter(level=Region.Level.COUNTY, code__in=codes)
    else:
        found = selectors.towns_under(user).filter(code__in=codes)
    by_code = {o.code: o for o in found}
    if len(by_code) != len(codes):
        raise Http404
    return [Scope(kind, by_code[c]) for c in codes]
