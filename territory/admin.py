from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import models


@admin.register(models.ResponsibilityList)
class ResponsibilityListAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "county", "batch", "issued_on", "in_force_from", "in_force_until"]
    list_filter = ["county"]
    search_fields = ["title"]


@admin.register(models.ResponsibilityItem)
class ResponsibilityItemAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["number", "name", "category", "main_unit", "main_department", "withdrawn_on"]
    list_filter = ["category", "main_unit", "is_generated"]
    search_fields = ["name"]
    raw_id_fields = ["responsibility_list", "main_department"]


@admin.register(models.CallPolicy)
class CallPolicyAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["county", "accept_hours_normal", "close_hours_normal", "on_time_threshold"]


class CallStepInline(admin.TabularInline):
    """A call's timeline, read-only: a step is taken by its service (``territory.services``), never here."""

    model = models.CallStep
    fields = ["at", "action", "state_after", "by", "note", "external_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Call)
class CallAdmin(SystemAdminOnly, SimpleHistoryAdmin):
    """Calls for the system administrator to look up, with their timeline and history; read-only.

    A call changes only by its steps (raise, accept, close, evaluate …), taken by the town, the
    department or the county office through ``territory.services``, which check the order and the
    scope and keep the timeline; an edit by hand here would bypass all of that.
    """

    list_display = ["subject", "town", "department", "urgency", "state", "raised_at", "accept_due", "close_due"]
    list_filter = ["state", "urgency", "was_disputed", "reopened"]
    search_fields = ["subject", "town__name", "department__name", "external_id"]
    date_hierarchy = "raised_at"
    list_select_related = ["town", "department"]
    readonly_fields = [f.name for f in models.Call._meta.concrete_fields]
    inlines = [CallStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
