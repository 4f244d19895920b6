"""The landing page: for a signed-in user, their towns with key figures and the open alerts that concern them.

It lives beside the alerts board rather than in ``core``, which knows no domain app.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from reforms.selectors import town_key_figures

from .alerts_board import record_url
from .selectors import oldest_open_alerts

HOME_ALERTS = 20
HOME_TOWNS = 20


@require_safe
def home(request):
    """Anonymous visitors see the introduction; a signed-in user their first towns and oldest open alerts."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    # One query: the oldest open alerts, one more than shown to know whether to link to the rest.
    alerts = list(oldest_open_alerts(request.user, HOME_ALERTS + 1))
    towns = list(town_key_figures(user=request.user)[: HOME_TOWNS + 1])
    context = {
        # The first towns only: a reviewer's scope holds thousands; the rest are paged at /towns/.
        "towns": towns[:HOME_TOWNS],
        "more_towns": len(towns) > HOME_TOWNS,
        "alerts": [{"alert": a, "url": record_url(a)} for a in alerts[:HOME_ALERTS]],
        "more_alerts": len(alerts) > HOME_ALERTS,
    }
    return render(request, "core/home.html", context)
