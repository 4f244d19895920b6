"""Signal receivers that turn logins, changes, exports, imports and token events into audit entries."""

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.signals import (
    data_exported,
    data_imported,
    record_changed,
    records_changed,
    second_factor_failed,
    token_event,
    write_begins,
)

from .models import AuditEntry
from .services import audit, audit_many, chain_lock

A = AuditEntry.Action


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    audit(A.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    audit(A.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The password is never logged; the name typed is, since it says which account was attacked.
    audit(A.LOGIN_FAILED, request=request, username=str(credentials.get("username", "")))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit(A.LOCKED_OUT, request=request, username=username or "", detail=ip_address or "")


@receiver(write_begins, dispatch_uid="audit_write_begins")
def on_write_begins(sender, **kwargs):
    # The entry is written after the row locks; taking the chain lock before them keeps one lock order.
    chain_lock()


@receiver(record_changed, dispatch_uid="audit_record_changed")
def on_record_changed(sender, instance, user, action, **kwargs):
    audit(action, user=user, obj=instance)


@receiver(records_changed, dispatch_uid="audit_records_changed")
def on_records_changed(sender, changes, user, **kwargs):
    audit_many([(action, instance) for instance, action in changes], user=user)


@receiver(data_exported, dispatch_uid="audit_export")
def on_export(sender, user, what, fmt, query=None, **kwargs):
    audit(A.EXPORT, user=user, detail=f"{what}.{fmt} {query.urlencode() if query else ''}".strip())


@receiver(data_imported, dispatch_uid="audit_import")
def on_import(sender, user, what, created=0, updated=0, **kwargs):
    audit(A.IMPORT, user=user, detail=f"{what}: created={created} updated={updated}")


TOKEN_ACTIONS = {"create": A.TOKEN_CREATE, "revoke": A.TOKEN_REVOKE, "use": A.TOKEN_USE, "reject": A.TOKEN_REJECT}


@receiver(token_event, dispatch_uid="audit_token")
def on_token_event(sender, token, user, action, prefix="", **kwargs):
    audit(TOKEN_ACTIONS[action], user=user, obj=token, detail=prefix)


@receiver(second_factor_failed, dispatch_uid="audit_second_factor_failed")
def on_second_factor_failed(sender, user, **kwargs):
    audit(A.LOGIN_FAILED, user=user, detail="otp")


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_action")
def on_admin_action(sender, instance, created, **kwargs):
    """Every change made in the admin (accounts, roles, reference data), as Django's admin log records it."""
    if created:
        flag = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
        audit(
            A.ADMIN,
            user=instance.user,
            detail=f"{flag} {instance.content_type.app_label}.{instance.content_type.model} "
            f"#{instance.object_id} {instance.object_repr}: {instance.get_change_message()}",
        )
