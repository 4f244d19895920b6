"""A signed-in session's idle limit, renewed at most once a minute rather than written on every request."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

RENEWED_AT = "_renewed_at"


@receiver(user_logged_in, dispatch_uid="session_renewed_at_login")
def renewed_at_login(sender, request, user, **kwargs):
    # Signing in saves the session with a full idle limit: the next request need not save it again.
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = time.time()


class SessionRenewalMiddleware:
    """Renew a signed-in session's idle limit at most once every ``SESSION_RENEW_SECONDS``.

    Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) wrote its row on each page and
    API read; renewing once a minute keeps the idle limit within that minute of exact. Listed after
    SessionMiddleware, so the session this marks modified is saved on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if session.session_key is None:
            return response  # no session cookie: an anonymous request keeps creating none
        renewed_at = session.get(RENEWED_AT)
        if session.is_empty():
            return response  # a stale cookie or a sign-out: nothing to renew
        now = time.time()
        if renewed_at is None or now - renewed_at >= settings.SESSION_RENEW_SECONDS:
            session[RENEWED_AT] = now  # marks the session modified: saved with a new expiry date
        return response
