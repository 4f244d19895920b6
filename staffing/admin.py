from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import models


class NameplateInline(SystemAdminOnly, admin.TabularInline):
    model = models.Nameplate
    extra = 0


@admin.register(models.Organ)
class OrganAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "town", "kind", "is_mandatory", "parent_department"]
    list_filter = ["kind", "is_mandatory"]
    search_fields = ["name", "town__name"]
    inlines = [NameplateInline]


@admin.register(models.Nameplate)
class NameplateAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "organ"]
    search_fields = ["name", "organ__name"]


@admin.register(models.HeadcountQuota)
class HeadcountQuotaAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["town", "post_type", "approved", "effective_on", "document"]
    list_filter = ["post_type"]
    search_fields = ["town__name"]


@admin.register(models.FilledPosts)
class FilledPostsAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["town", "post_type", "filled", "as_of"]
    list_filter = ["post_type"]
    search_fields = ["town__name"]


@admin.register(models.Secondment)
class SecondmentAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["staff_reference", "town", "borrowing_unit", "starts_on", "ends_on"]
    list_filter = ["under_service_agreement"]
    search_fields = ["staff_reference", "borrowing_unit", "town__name"]


@admin.register(models.StaffingPolicy)
class StaffingPolicyAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["town", "effective_on", "excellent_share_percent", "max_secondment_months"]
    search_fields = ["town__name"]
