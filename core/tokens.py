"""Write and read paths of API tokens: create (secret shown once), revoke, authenticate.

Secrets are 256 random bits, so a single SHA-256 digest cannot be brute-forced and needs no slow
password hash; lookup is by digest, which also keeps the comparison free of timing leaks.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken
from .signals import token_event

PREFIX = "trk_"
# Writing last_used_at on every request would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name, created_by=None):
    """Issue a token for a service account; returns (token, secret). The secret is not stored."""
    if not user.is_service_account:
        raise ValidationError({"user": [_("只能为服务账户创建 API 令牌。")]})
    if not user.is_active:
        raise ValidationError({"user": [_("该账户已停用。")]})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:12], digest=_digest(secret), created_by=created_by)
    token.full_clean()
    token.save()
    token_event.send(sender=ApiToken, token=token, user=created_by, action="create")
    return token, secret


def token_revoke(*, token, user=None):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        token_event.send(sender=ApiToken, token=token, user=user, action="revoke")
    return token


def token_authenticate(secret):
    """The active token whose secret this is, with its user, or None."""
    try:
        # get(), not filter().first(): the digest is unique, and first()'s ORDER BY pk cost a sixth of
        # the time of a lookup that every API request makes.
        token = ApiToken.objects.select_related("user__region").get(
            digest=_digest(secret), revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # The audit log records a token's use at the same resolution, not every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token_event.send(sender=ApiToken, token=token, user=token.user, action="use")
    return token
