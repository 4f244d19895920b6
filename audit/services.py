"""Writing the audit log: one entry at a time, each chained to the one before it."""

import contextvars
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry

GENESIS = "0" * 64
# Any fixed number: serialises appends across processes on PostgreSQL (SQLite serialises writes itself).
CHAIN_LOCK = 7_420_001
MIN_RETENTION_DAYS = 183  # 等保 asks for at least six months of audit records

current_request = contextvars.ContextVar("audit_request", default=None)


def client_ip(request):
    """The client's address; behind the reverse proxy, the last hop it appended to X-Forwarded-For."""
    if request is None:
        return None
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _request_fields(request):
    if request is None:
        return {}
    path = request.get_full_path() if request.path else ""
    return {"ip": client_ip(request), "method": (request.method or "")[:10], "path": path[:500]}


def _user_fields(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"user_id": user.pk, "username": user.get_username()[:150]}


def _object_fields(obj):
    if obj is None:
        return {}
    return {"object_type": obj._meta.label, "object_id": str(obj.pk or "")[:64], "object_repr": str(obj)[:200]}


def chain_lock():
    """Hold the chain until this transaction ends; taking it again in the same transaction is free."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


# Without a savepoint of its own: inside a write the entry commits or rolls back with the change, and
# a failure to write it fails the write (two round trips fewer on every write).
@transaction.atomic(savepoint=False)
def audit(action, *, user=None, request=None, obj=None, detail="", status=None, username=""):
    """Append one entry. ``request`` defaults to the request being served, for the address and path."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    chain_lock()
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    entry = AuditEntry(
        at=timezone.now(),
        action=action,
        status=status,
        detail=str(detail)[:4000],
        prev_hash=last or GENESIS,
        **_request_fields(request),
        **_object_fields(obj),
        **_user_fields(user),
    )
    if username and not entry.username:
        entry.username = username[:150]
    entry.hash = entry.compute_hash()
    entry.save()
    return entry


@transaction.atomic(savepoint=False)
def audit_many(changes, *, user=None):
    """Append one entry per ``(action, obj)`` of ``changes``, chained in order, in one insert."""
    request = current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    chain_lock()
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    entries, common = [], {**_request_fields(request), **_user_fields(user)}
    for action, obj in changes:
        entry = AuditEntry(at=timezone.now(), action=action, prev_hash=last, **common, **_object_fields(obj))
        entry.hash = last = entry.compute_hash()
        entries.append(entry)
    return AuditEntry.objects.bulk_create(entries)


def retention_days():
    return max(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS), MIN_RETENTION_DAYS)


def purge_before(cutoff):
    """Delete entries older than ``cutoff``; refuses a cutoff inside the retention period."""
    limit = timezone.now() - dt.timedelta(days=retention_days())
    if cutoff > limit:
        raise ValidationError(
            _("审计记录至少保留 %(days)s 天,不能删除 %(limit)s 之后的记录。")
            % {"days": retention_days(), "limit": timezone.localtime(limit).strftime("%Y-%m-%d")}
        )
    deleted, _detail = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


def verify_chain(queryset=None):
    """(checked, first broken entry or None, reason). The oldest kept entry anchors the chain."""
    entries = (queryset if queryset is not None else AuditEntry.objects.all()).order_by("id")
    previous = None
    checked = 0
    for entry in entries.iterator(chunk_size=2000):
        if previous is not None and entry.prev_hash != previous:
            return checked, entry, _("前一条摘要与上一条记录不符(记录被删除或插入)")
        if entry.compute_hash() != entry.hash:
            return checked, entry, _("内容与摘要不符(记录被修改)")
        previous = entry.hash
        checked += 1
    return checked, None, ""
