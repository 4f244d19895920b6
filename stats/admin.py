from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import SystemAdminOnly

from . import services
from .models import Alert, Figure, PendingRecompute, PowerFigure, RecomputeRun


@admin.register(RecomputeRun)
class RecomputeRunAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "scope", "as_of", "rows_written", "outcome", "triggered_by"]
    list_filter = ["outcome", "triggered_by"]
    readonly_fields = [f.name for f in RecomputeRun._meta.fields]
    change_list_template = "admin/stats/recomputerun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        extra = [path("recompute/", self.admin_site.admin_view(self.recompute_now), name="stats_recompute_now")]
        return extra + super().get_urls()

    def recompute_now(self, request):
        """Administrators start a full recompute; it runs in-process and its outcome is shown."""
        if request.method != "POST" or not request.user.is_system_admin:
            messages.error(request, _("只有系统管理员可以立即重算统计。"))
            return redirect("admin:stats_recomputerun_changelist")
        try:
            run = services.recompute_all(triggered_by=f"admin:{request.user.username}")
        except Exception as exc:
            messages.error(request, _("重算失败:%(error)s") % {"error": exc})
        else:
            messages.success(request, _("重算完成,写入 %(rows)s 行。") % {"rows": run.rows_written})
        return redirect("admin:stats_recomputerun_changelist")


@admin.register(Alert)
class AlertAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["rule", "town", "region", "since", "is_open", "closed_at", "message"]
    list_filter = ["rule", "is_open"]
    search_fields = ["town__name", "town__code"]
    readonly_fields = [f.name for f in Alert._meta.fields]

    @admin.display(description=gettext_lazy("内容"))
    def message(self, obj):
        return obj.message

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_filter = ["scope_kind", "period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PowerFigure)
class PowerFigureAdmin(ReadOnlyAdmin):
    list_display = ["scope_kind", "scope_id", "period", "power_type", "mode", "delegated", "running", "unused"]


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin):
    list_display = ["scope_kind", "scope_id", "period", "metric", "key", "value"]


@admin.register(PendingRecompute)
class PendingRecomputeAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["town", "touched_at"]
