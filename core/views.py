from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import health_checks


@never_cache
@require_safe
def healthz(request):
    """For load balancers and compose: 200 when every service a page needs answers, else 503 naming the failing."""
    checks = health_checks()
    failing = [name for name, result in checks.items() if result == "failing"]
    body = {"status": "error" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
