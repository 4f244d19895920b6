"""Dashboards for reviewers and county editors: overview, drill down, compare, alerts board, XLSX export.

Every page reads the summary tables through ``stats.selectors`` and is scoped like the ledger: a user
opens only the dashboards of their own region and the regions and towns under it (others are 404).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.export import workbook_response
from core.ui import query_without

from . import dashboards as d
from . import selectors
from .alerts_board import AlertBoardFilterSet, record_url
from .models import AlertRule, ScopeKind

MAX_COMPARE = 10


def _base(request, scope, periods, period, error=None):
    return {
        "scope": scope,
        "periods": periods,
        "years": sorted({p.year for p in periods}, reverse=True),
        "period": period,
        "period_error": error,
        "echarts": d.echarts_available(),
        "trail": trail(request.user, scope),
    }


def _scope_months(request, scope):
    """(``selectors.scope_history`` of the scope, the page's context with its months and the month asked
    for): one read of the scope's months serves the month's figures and the trend too."""
    history = selectors.scope_history(request.user, scope.kind, scope.pk)
    periods = sorted(history, reverse=True)
    period, error = d.choose_period(periods, request.GET.get("period", ""), request.GET.get("year", ""))
    return history, _base(request, scope, periods, period, error)


def trail(user, scope):
    """Province → city → county → town links above ``scope``, only those the user may open."""
    allowed = set(selectors.regions_under(user).values_list("pk", flat=True))
    region = scope.obj.county if scope.kind == ScopeKind.TOWN else scope.obj.parent
    chain = []
    while region is not None and region.pk in allowed:
        chain.insert(0, d.Scope(d.KIND_OF_LEVEL[region.level], region))
        region = region.parent
    return chain


@require_safe  # dashboards only read: a POST is refused with 405
@login_required
def home(request):
    # Someone who sees several provinces starts from all of them, not from whichever comes first.
    if len(d.provinces_in_reach(request.user)) > 1:
        return redirect("stats:provinces")
    return redirect("stats:region", d.home_region(request.user).code)


@require_safe
@login_required
def provinces(request):
    """The provinces in the user's reach side by side, each a link to its own dashboard."""
    context = d.provinces_overview(request.user, request.GET.get("period", ""))
    return render(request, "stats/provinces.html", context)


def _region_context(request, code):
    scope = d.region_scope(request.user, code)
    history, context = _scope_months(request, scope)
    period, periods = context["period"], context["periods"]
    if period is not None:
        alerts = d.page_alerts(request.user, period, periods)
        rows = selectors.history_figures(request.user, scope.kind, scope.pk, history, alerts)
        context.update(d.overview(request.user, scope, period, rows, alerts))
        context["trend"] = d.trend_rows(rows)
    return context


@require_safe
@login_required
def region(request, code):
    """A region's overview for one month: headline figures, split per child region, rankings, trends."""
    context = _region_context(request, code)
    if context["period"] is not None:
        context["split_chart"] = d.split_chart(context["children"])
        context["trend_chart"] = d.trend_chart(context["trend"])
    return render(request, "stats/overview.html", context)


@require_safe
@login_required
def region_export(request, code):
    context = _region_context(request, code)
    scope, period = context["scope"], context["period"]
    sheets = []
    if period is not None:
        sheets = [
            d.figure_sheet(_("总体"), [scope], {scope.pk: context["figures"]}),
            d.scope_table_sheet(
                context["child_kind_label"],
                context["child_kind_label"],
                [(c["scope"].name, c["scope"].code, c) for c in context["children"]],
            ),
            d.ranking_sheet(context["best"], context["worst"]),
            d.trend_sheet(context["trend"]),
        ]
    return workbook_response(f"dashboard-{scope.code}-{period or 'none'}", sheets)


def _town_context(request, code):
    scope = d.town_scope(request.user, code)
    history, context = _scope_months(request, scope)
    period = context["period"]
    if period is not None:
        rows = selectors.history_figures(request.user, scope.kind, scope.pk, history)
        figures, before = d.at_and_year_before(rows, period)
        context.update(
            figures=figures,
            year_before=d.year_before(period),
            headline=d.cells(figures, d.HEADLINE, scope, period),
            details=d.cells(figures, [r.key for r in d.ROWS], scope, period, before),
            trend=d.trend_rows(rows),
            alerts=selectors.open_alert_list(request.user).filter(town=scope.obj)[:50],
            **d.split_context(request.user, scope, period, figures),
        )
        context["trend_chart"] = d.trend_chart(context["trend"])
    return context


@require_safe
@login_required
def town(request, code):
    """One town's figures across the four strands, each linked to its ledger rows, and its open alerts."""
    return render(request, "stats/town.html", _town_context(request, code))


@require_safe
@login_required
def town_export(request, code):
    context = _town_context(request, code)
    scope, period = context["scope"], context["period"]
    sheets = []
    if period is not None:
        sheets = [d.figure_sheet(scope.name, [scope], {scope.pk: context["figures"]}), d.trend_sheet(context["trend"])]
    return workbook_response(f"dashboard-{scope.code}-{period or 'none'}", sheets)


def _compare_context(request):
    kind = ScopeKind.COUNTY if request.GET.get("kind") == ScopeKind.COUNTY else ScopeKind.TOWN
    codes = list(dict.fromkeys(c.strip() for c in request.GET.getlist("pick") if c.strip()))
    picker = d.compare_picker(request.user, kind, request.GET.get("within", ""))
    context = {"kind": kind, "codes": codes, "picker": picker, "echarts": d.echarts_available(), "error": None}
    if not codes:
        return context
    if not 2 <= len(codes) <= MAX_COMPARE:
        context["error"] = _("请选择 2 至 %(max)s 个进行对比(已选 %(n)s 个)。") % {"max": MAX_COMPARE, "n": len(codes)}
        return context
    scopes = d.compare_scopes(request.user, kind, codes)  # 404 when any code is out of scope
    periods = selectors.compare_periods(request.user, kind, [s.pk for s in scopes])
    period, error = d.choose_period(periods, request.GET.get("period", ""), request.GET.get("year", ""))
    figures = selectors.scope_figures(request.user, kind, [s.pk for s in scopes], period) if period else {}
    context.update(scopes=scopes, periods=periods, period=period, period_error=error, figures=figures)
    if period is not None:
        context["rows"] = d.compare_rows(scopes, figures, period)
        context["compare_chart"] = d.compare_chart(scopes, figures)
    return context


@require_safe
@login_required
def compare(request):
    """Two to ten towns or counties side by side across the four strands."""
    return render(request, "stats/compare.html", _compare_context(request))


@require_safe
@login_required
def compare_export(request):
    context = _compare_context(request)
    if context.get("period") is None:
        return redirect(f"{reverse('stats:compare')}?{request.GET.urlencode()}")  # the page says what is missing
    sheet = d.figure_sheet(_("对比"), context["scopes"], context["figures"])
    return workbook_response(f"compare-{context['period']}", [sheet])


def _alerts_context(request):
    today = timezone.localdate()
    fs = AlertBoardFilterSet(
        request.GET or None, queryset=selectors.open_alert_list(request.user), request=request, today=today
    )
    queryset = fs.qs if not fs.is_bound or fs.is_valid() else fs.queryset.none()
    by_rule, by_region, ages = selectors.alert_counts(queryset, today)
    return {
        "filter": fs,
        "queryset": queryset.order_by("since", "pk"),
        "by_rule": [(rule, AlertRule(rule).label, by_rule.get(rule, 0)) for rule in AlertRule.values],
        "by_region": by_region,
        "ages": ages,
        "today": today,
        "echarts": d.echarts_available(),
    }


@require_safe
@login_required
def alerts(request):
    """Open alerts by rule, region and age, filterable, each linked to the record that breaches the rule."""
    context = _alerts_context(request)
    page = Paginator(context["queryset"], 50).get_page(request.GET.get("page"))
    context.update(
        page=page,
        rows=[{"alert": a, "url": record_url(a), "age": (context["today"] - a.since).days} for a in page.object_list],
        rule_chart={
            "categories": [str(label) for _rule, label, _n in context["by_rule"]],
            "series": [{"name": str(_("未关闭预警")), "data": [n for _r, _l, n in context["by_rule"]]}],
        },
        query_no_page=query_without(request, "page"),
    )
    return render(request, "stats/alerts.html", context)


@require_safe
@login_required
def alerts_export(request):
    context = _alerts_context(request)
    header = [_("规则"), _("区域"), _("镇"), _("起始日期"), _("天数"), _("内容")]
    rows = [
        [
            a.get_rule_display(),
            a.region.name,
            a.town.name if a.town else "",
            a.since,
            (context["today"] - a.since).days,
            a.message,
        ]
        for a in context["queryset"][:100_000]
    ]
    stamp = timezone.localdate().strftime("%Y%m%d")
    return workbook_response(f"alerts-{stamp}", [(_("未关闭预警"), [str(h) for h in header], rows)])
