"""The call-and-respond section of the region and town dashboards."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..selectors import call_figures, call_times, item_call_counts

register = template.Library()

# A province has well over a thousand departments: past twice this many, the ranking shows its best and
# its worst this many, not a table no meeting reads (and that took most of the page's time to render).
RANKING_ENDS = 10


@register.inclusion_tag("territory/_call_figures.html", takes_context=True)
def call_figures_section(context, scope, period):
    """Calls of the town, or of the region's departments, over the period's year: totals, times, the
    department ranking and the items called, each linked to the calls or items behind it."""
    # A town with calls but no other figures yet has no period: its calls count by the current year.
    year = (period or timezone.localdate()).year
    user = context["request"].user
    kind_town = type(scope.obj).__name__ == "Town"
    where = {"town_id": scope.obj.pk} if kind_town else {"region_id": scope.obj.pk}
    # The same queries whether or not the year has calls: switching the period never changes their number.
    figures = call_figures(user=user, year=year, ends=RANKING_ENDS, **where)
    county = scope.obj.county if kind_town else None
    place = {"town": scope.obj} if kind_town else {"region": scope.obj}
    items = item_call_counts(user=user, year=year, **place)
    times = call_times(user=user, year=year, **place)
    if not figures["total"]["calls"] and not (items["top"] or items["never"]):
        return {"figures": None, "scope": scope}
    # The ledger lists behind the numbers: the calls of the scope in the year, the items of its lists.
    in_year = {"raised_after": f"{year}-01-01", "raised_before": f"{year}-12-31"}
    calls_query = urlencode({scope.param: scope.code, **in_year})
    never_query = {"region": county.code if county else scope.code, "not_called_in": year, "withdrawn": "false"}
    if kind_town:
        never_query["caller"] = scope.code
    ranking, cut = figures["ranking"], figures["left_out"]
    return {
        "figures": figures,
        "ranking_head": ranking[:RANKING_ENDS] if cut else ranking,
        "ranking_tail": ranking[RANKING_ENDS:] if cut else [],
        "ranking_left_out": cut,
        "ranking_ends": RANKING_ENDS,
        "show_county": not kind_town and scope.obj.level != scope.obj.Level.COUNTY,
        "times": times,
        "items": items,
        "calls_url": f"{reverse('territory:calls_list')}?{calls_query}",
        "never_url": f"{reverse('territory:items_list')}?{urlencode(never_query)}",
        "scope": scope,
    }


@register.inclusion_tag("territory/_call_compare.html", takes_context=True)
def call_compare_section(context, scopes, period):
    """The compared towns' or counties' calls over the period's year: the record their departments earned."""
    user = context["request"].user
    year = (period or timezone.localdate()).year
    columns = []
    for scope in scopes:
        kind_town = type(scope.obj).__name__ == "Town"
        figures = call_figures(
            user=user,
            town_id=scope.obj.pk if kind_town else None,
            region_id=None if kind_town else scope.obj.pk,
            year=year,
        )
        columns.append(figures["total"])
    rows = [
        (_("呼叫数"), "calls", ""),
        (_("按时受理率"), "accept_on_time_rate", "%"),
        (_("按时办结率"), "on_time_rate", "%"),
        (_("办结率"), "closure_rate", "%"),
        (_("满意率"), "satisfaction_rate", "%"),
        (_("争议"), "disputes", ""),
    ]
    table = [{"label": label, "unit": unit, "values": [c[key] for c in columns]} for label, key, unit in rows]
    return {"table": table if any(c["calls"] for c in columns) else None, "scopes": scopes, "year": year}
