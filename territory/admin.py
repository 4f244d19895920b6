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
