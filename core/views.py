from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
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


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token: the site's page, in Chinese, with the way back to the form."""
    referer = request.META.get("HTTP_REFERER", "")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts=hosts, require_https=request.is_secure())
    return render(request, "403_csrf.html", {"referer": referer if safe else ""}, status=403)


@require_safe
def favicon(request):
    """The site's icon under the name browsers ask for unprompted; the file itself is a static SVG."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """The site's 500 page; if the failure also breaks the layout (static files, say), a plain page.

    Rendered without the request, as Django's own handler does: the database may be what failed.
    """
    try:
        return defaults.server_error(request)
    except Exception:
        return HttpResponseServerError(loader.get_template("500_plain.html").render())
