from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from reforms.selectors import town_list


def home(request):
    """Landing page: what the product is, and for a signed-in user the towns in their scope."""
    towns = town_list(user=request.user)[:50] if request.user.is_authenticated else []
    return render(request, "core/home.html", {"towns": towns})


def healthz(request):
    """Liveness for load balancers and compose: the database answers a trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
