"""Rate limits: each API token has its own budget, so one busy client cannot starve the others."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        # Read at request time so that a deployment (or a test) can change it without a restart.
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # browser sessions are people, limited by how fast they click
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
