from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import models


@admin.register(models.Department)
class DepartmentAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "county"]
    list_filter = ["county"]
    search_fields = ["name", "county__name"]


@admin.register(models.PowerItem)
class PowerItemAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "type_code", "local_code", "implementation_code", "source_department"]
    list_filter = ["type_code", "source", "is_generated"]
    search_fields = ["name", "local_code", "implementation_code"]
    autocomplete_fields = ["source_department"]


@admin.register(models.DelegationCatalogue)
class DelegationCatalogueAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "county", "town", "issued_on", "edition", "declared_total"]
    list_filter = ["county"]
    search_fields = ["title"]


@admin.register(models.DelegatedPower)
class DelegatedPowerAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["item", "town", "mode", "take_over_status", "delegated_on"]
    list_filter = ["mode", "take_over_status", "item__type_code", "is_generated"]
    search_fields = ["item__name", "item__implementation_code", "town__name"]
    autocomplete_fields = ["town", "item", "catalogue", "receiving_organ"]
    list_select_related = ["item", "town"]


@admin.register(models.MonthlyCaseCount)
class MonthlyCaseCountAdmin(LedgerAdminMixin, SystemAdminOnly, admin.ModelAdmin):
    list_display = ["power", "month", "handled_by", "accepted", "closed"]
    list_filter = ["handled_by", "month"]
    search_fields = ["power__item__name", "power__town__name"]
    raw_id_fields = ["power"]
    list_select_related = ["power__item", "power__town"]


@admin.register(models.Training)
class TrainingAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["held_on", "topic", "town", "department", "attendees"]
    list_filter = ["held_on"]
    search_fields = ["topic", "town__name", "department__name"]
    autocomplete_fields = ["town", "department"]


@admin.register(models.TrainingCoverage)
class TrainingCoverageAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["training", "power"]
    raw_id_fields = ["training", "power"]


@admin.register(models.InspectionRound)
class InspectionRoundAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "region", "kind", "held_on"]
    list_filter = ["kind"]
    search_fields = ["title"]


@admin.register(models.ScoreItem)
class ScoreItemAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "inspection", "max_points"]
    raw_id_fields = ["inspection"]


@admin.register(models.InspectionScore)
class InspectionScoreAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["inspection", "town", "power", "score", "grade"]
    list_filter = ["grade"]
    raw_id_fields = ["inspection", "town", "power"]


@admin.register(models.ItemPoints)
class ItemPointsAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["score", "item", "points"]
    raw_id_fields = ["score", "item"]


@admin.register(models.Finding)
class FindingAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["description", "town", "deadline", "status"]
    list_filter = ["status"]
    raw_id_fields = ["inspection", "town", "power"]
