from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reforms.selectors import town_key_figures
from stats.alerts_board import record_url
from stats.selectors import alert_list

HOME_ALERTS = 20
HOME_TOWNS = 20


@require_safe
def home(request):
    """Landing page: for a signed-in user, their towns with key figures and the open alerts that concern them."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    # One query: the oldest open alerts, one more than shown to know whether to link to the rest.
    alerts = list(alert_list(user=request.user).filter(is_open=True).order_by("since", "pk")[: HOME_ALERTS + 1])
    towns = list(town_key_figures(user=request.user)[: HOME_TOWNS + 1])
    context = {
        # The first towns only: a reviewer's scope holds thousands; the rest are paged at /towns/.
        "towns": towns[:HOME_TOWNS],
        "more_towns": len(towns) > HOME_TOWNS,
        "alerts": [{"alert": a, "url": record_url(a)} for a in alerts[:HOME_ALERTS]],
        "more_alerts": len(alerts) > HOME_ALERTS,
    }
    return render(request, "core/home.html", context)


def healthz(request):
    """Liveness for load balancers and compose: the database answers a trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
