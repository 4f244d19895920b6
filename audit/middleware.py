"""Give the audit log the request being served, and record every refused request."""

from .models import AuditEntry
from .services import audit, current_request

# Refusals worth an entry: not signed in (API), forbidden, not found (out of scope), locked out.
DENIED_STATUSES = {401, 403, 404, 429}
IGNORED_PREFIXES = ("/static/", "/favicon.ico")


class AuditMiddleware:
    """Placed after authentication, so that the entry names the user who was refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code in DENIED_STATUSES and not request.path.startswith(IGNORED_PREFIXES):
                # DRF authenticates inside the view and sets the user on this request too.
                audit(AuditEntry.Action.DENIED, request=request, status=response.status_code)
            return response
        finally:
            current_request.reset(token)
