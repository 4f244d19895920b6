"""Token authentication for service accounts: ``Authorization: Token trk_…`` (or ``Bearer``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.signals import token_event
from core.tokens import token_authenticate

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 请求头格式应为:Token <令牌>。"))
        try:
            secret = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        token = token_authenticate(secret)
        if token is None:
            token_event.send(sender=None, token=None, user=None, action="reject", prefix=secret[:12])
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
