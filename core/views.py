from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from reforms.selectors import town_key_figures


def home(request):
    """Landing page: what the product is, and for a signed-in user their towns with key figures."""
    towns = town_key_figures(user=request.user)[:200] if request.user.is_authenticated else []
    return render(request, "core/home.html", {"towns": towns})


def healthz(request):
    """Liveness for load balancers and compose: the database answers a trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
