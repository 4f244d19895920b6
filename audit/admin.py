"""The audit log in the admin: the audit administrator searches, reads and exports it; nobody changes it."""

from types import SimpleNamespace

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.export import export_response

from .models import AuditEntry
from .services import audit

EXPORT_COLUMNS = [
    "at", "action", "username", "ip", "method", "path", "status", "object_type", "object_id", "object_repr",
    "detail", "hash",
]  # fmt: skip


def _is_audit_admin(request):
    return request.user.is_active and request.user.is_audit_admin


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "username", "ip", "status", "path", "object_repr"]
    list_filter = ["action", "at"]
    search_fields = ["username", "ip", "path", "object_repr", "object_id", "detail"]
    date_hierarchy = "at"
    actions = ["export_csv", "export_xlsx"]
    list_per_page = 100

    # 三员分立: only the audit administrator reads the log, and even they cannot alter it.
    def has_module_permission(self, request):
        return _is_audit_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_audit_admin(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # The admin drops actions without a permission hook; ours need only the view right.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _export(self, request, queryset, fmt):
        ui = SimpleNamespace(model=AuditEntry, slug="audit", label=AuditEntry._meta.verbose_name_plural)
        ui.columns = EXPORT_COLUMNS
        audit(AuditEntry.Action.EXPORT, user=request.user, request=request, detail=f"audit.{fmt} n={queryset.count()}")
        return export_response(ui, queryset.order_by("id"), fmt)

    @admin.action(description=_("导出所选审计记录(CSV)"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("导出所选审计记录(Excel)"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")
