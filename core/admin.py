from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, User
from .tokens import token_create, token_revoke


def _is_system_admin(request):
    return request.user.is_active and request.user.is_system_admin and not request.user.is_security_admin


def _is_security_admin(request):
    return request.user.is_active and request.user.is_security_admin


ADMIN_ROLES = (User.Role.SYSTEM_ADMIN, User.Role.SECURITY_ADMIN, User.Role.AUDIT_ADMIN)


def _is_other_administrator(request, obj):
    """Another administrator's account: nobody sets its password, role or device, so nobody can become them."""
    return obj is not None and obj.pk != request.user.pk and (obj.role in ADMIN_ROLES or obj.is_superuser)


class SystemAdminOnly:
    """Regions and reference data belong to the system administrator, by role, superuser or not.

    Django's model permissions are not used: administrators hold no per-user permissions, their role
    carries their rights. A ModelAdmin that forbids more (e.g. no adding) overrides these in its own body.
    """

    def has_module_permission(self, request):
        return _is_system_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_add_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_system_admin(request)


# 三员分立: the system administrator keeps accounts (names, regions, passwords, activation); the
# security administrator alone gives roles and admin access, never on their own account; the audit
# administrator sees neither. Superuser and per-user permissions are not editable here: roles carry rights.
ROLE_FIELDS = ("role", "is_staff")
NEVER_EDITABLE = ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "is_service_account", "is_active"]
    list_filter = ["role", "is_service_account", "is_active", "region__level"]
    search_fields = ["username", "first_name", "last_name", "region__name"]
    autocomplete_fields = ["region"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("范围与角色"), {"fields": ("role", "region", "is_service_account")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("范围与角色"), {"fields": ("region", "is_service_account")}),
    )

    def has_module_permission(self, request):
        return _is_system_admin(request) or _is_security_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return _is_system_admin(request)

    def has_change_permission(self, request, obj=None):
        if _is_security_admin(request):
            return obj is None or (obj.pk != request.user.pk and not _is_other_administrator(request, obj))
        return _is_system_admin(request) and not _is_other_administrator(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_system_admin(request) and not _is_other_administrator(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Administrator roles are given only by `manage.py create_admins` on the server, never in the
        # admin: otherwise the security administrator could make an accomplice a system administrator.
        if db_field.name == "role":
            kwargs["choices"] = [(v, label) for v, label in db_field.choices if v not in ADMIN_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return NEVER_EDITABLE
        if _is_security_admin(request):
            return [f for f in flatten_fieldsets(self.get_fieldsets(request, obj)) if f not in ROLE_FIELDS]
        return (*NEVER_EDITABLE, *ROLE_FIELDS)

    def user_change_password(self, request, id, form_url=""):
        """Ordinary accounts' passwords, set by the system administrator.

        An administrator's password, their own included, is not set here: whoever sets it can sign in as
        them. Each changes their own at /admin/password_change/, which asks for the current one.
        """
        target = self.get_object(request, unquote(id))
        if not _is_system_admin(request) or target is None or target.role in ADMIN_ROLES or target.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The security administrator issues tokens here; the secret is shown once, in the confirmation message."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return _is_security_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_security_admin(request)

    def has_add_permission(self, request):
        return _is_security_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_security_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted, so that the audit trail keeps naming it

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["user", "name", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_service_account=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = token_create(user=obj.user, name=obj.name, created_by=request.user)
        obj.pk = token.pk
        messages.warning(request, _("新令牌(只显示这一次,请立即复制保存):%(secret)s") % {"secret": secret})

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, user=request.user)
        messages.success(request, _("已吊销 %(n)s 个令牌。") % {"n": queryset.count()})


class SecurityAdminOnly:
    """Pages of the security administrator alone, read-only; lockouts are lifted by deleting the attempt."""

    def has_module_permission(self, request):
        return _is_security_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_security_admin(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _is_security_admin(request) and self.model is AccessAttempt


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (SecurityAdminOnly, _admin), {}))


class DeviceResetAdmin(SecurityAdminOnly, admin.ModelAdmin):
    """Second-factor devices: the security administrator resets another user's by deleting it (audited).

    Nobody adds or edits a device here, and no key or QR code is shown: whoever knows a device's key can
    produce its codes, so enrolment happens only at the owner's own /accounts/otp/setup/. The admin log
    records each deletion, and the audit log copies it.
    """

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_delete_permission(self, request, obj=None):
        # Their own device stays: resetting it would let a stolen session drop the factor it lacks.
        return _is_security_admin(request) and (obj is None or obj.user_id != request.user.pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceResetAdmin)


# Groups would carry per-user permissions past the roles; the product gives rights by role alone.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
