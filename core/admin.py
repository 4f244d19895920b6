from contextlib import contextmanager

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import MISSING_VERSION, version_field
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


# The API's 412 message: the admin's stale save is the same refusal.
STALE = _("记录在您读取之后已被他人修改,请重新读取后再提交。")


class LedgerAdminForm(forms.ModelForm):
    """The admin's form of a ledger record: it carries the version read, as the browser forms do.

    A save of a copy someone changed since is refused at the form, so the administrator sees the
    refusal above the form, with their input kept, instead of overwriting the other change unseen.
    """

    # Declared here so that the admin's fieldsets include it; required once the record exists.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The row as stored now: the history page's revert form opens on an old copy of it.
            self.fields["version"] = version_field(initial=self._stored_version())

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        if self._errors.pop("version", None):
            # Shown above the form: the field itself is hidden.
            raise ValidationError(MISSING_VERSION)
        if cleaned.get("version") != self._stored_version():
            raise ValidationError(STALE)
        return cleaned

    def _stored_version(self):
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        return rows.values_list("version", flat=True).first()


class _Refused(Exception):
    """A service refused an admin write; the message is shown to the administrator."""


def _model_data(obj, form):
    """The values a form set on ``obj``, by model field, for the write services."""
    return {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if f.editable and not f.primary_key and f.name in form.cleaned_data
    }


def _refusal(model, error):
    """The administrator's message for a service's refusal, naming the fields at fault."""
    if isinstance(error, services.VersionConflict):
        return str(STALE)
    if isinstance(error, ProtectedError):
        used_by = sorted({str(o._meta.verbose_name) for o in error.protected_objects})
        return str(_("该记录仍被其他记录引用(%(used_by)s),不能删除。") % {"used_by": "、".join(used_by)})
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        labels = {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
        return " ".join(
            f"{labels[name]}:{message}" if name in labels else message
            for name, messages_ in error.message_dict.items()
            for message in messages_
        )
    return " ".join(getattr(error, "messages", None) or [str(error)])


@contextmanager
def _through_services(model):
    """Turn a service's refusal of an admin write into ``_Refused``, shown as a message, never a 500."""
    try:
        yield
    except (services.VersionConflict, ValidationError, PermissionDenied, ProtectedError) as error:
        raise _Refused(_refusal(model, error)) from error


class LedgerAdminMixin:
    """Admin pages of ledger records write through ``core.services``, as the pages and the API do.

    Each save, delete, bulk delete and inline row is scope-checked, validated, version-checked,
    audited, kept in history and queues its town's recompute, with the administrator as the user.
    Put it before the admin classes it extends; the role permissions (``SystemAdminOnly``) stay theirs.
    """

    form = LedgerAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The hidden version is the form's own field: the model's column is not editable in any form.
        fields = kwargs["fields"] if "fields" in kwargs else flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            kwargs["fields"] = [f for f in fields if f != "version"]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        with _through_services(self.model):
            if not change:
                services.record_add(obj, user=request.user)
                return
            saved = services.record_update(
                obj, user=request.user, data=_model_data(obj, form), expected_version=form.cleaned_data.get("version")
            )
            obj.version = saved.version

    def delete_model(self, request, obj):
        with _through_services(self.model):
            services.record_delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # One transaction: a refused row leaves the others in place too.
        with _through_services(self.model), transaction.atomic():
            for obj in queryset:
                services.record_delete(obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # sorts the rows into new, changed and deleted without writing any
        with _through_services(formset.model):
            for obj in formset.deleted_objects:
                services.record_delete(obj, user=request.user)
            for obj, _changed in formset.changed_objects:
                row = next(f for f in formset.forms if f.instance is obj)
                services.record_update(obj, user=request.user, data=_model_data(obj, row))
            for obj in formset.new_objects:
                services.record_add(obj, user=request.user)
        formset.save_m2m()

    def _refused_goes_back(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            # The view's transaction rolled back: nothing of the refused write is kept.
            messages.error(request, str(refused))
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._refused_goes_back(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refused_goes_back(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refused_goes_back(super().changelist_view, request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        # SimpleHistoryAdmin's revert page, which saves through ``save_model`` too.
        return self._refused_goes_back(super().history_form_view, request, *args, **kwargs)


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
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("范围与角色"), {"fields": ("role", "region", "town", "department", "is_service_account")}),
    )
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
