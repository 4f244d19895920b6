from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import models


@admin.register(models.Region)
class RegionAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(models.Town)
class TownAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "county", "category", "population", "is_generated"]
    list_filter = ["category", "is_generated", "county__parent"]
    search_fields = ["code", "name", "county__name"]
    autocomplete_fields = ["county"]


@admin.register(models.SourceDocument)
class SourceDocumentAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["number", "title", "issuer", "issued_on", "period", "region"]
    list_filter = ["region"]
    search_fields = ["number", "title", "issuer"]
    date_hierarchy = "issued_on"


@admin.register(models.ReportedFigure)
class ReportedFigureAdmin(LedgerAdminMixin, SystemAdminOnly, admin.ModelAdmin):
    list_display = ["label", "value", "unit", "is_lower_bound", "region", "town", "measure", "document"]
    list_filter = ["region", "document"]
    search_fields = ["label"]
    raw_id_fields = ["town"]


class MembershipInline(SystemAdminOnly, admin.TabularInline):
    model = models.ProgrammeMembership
    autocomplete_fields = ["town"]
    extra = 0


@admin.register(models.PilotProgramme)
class PilotProgrammeAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "region", "started_on", "document"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(models.ProgrammeMembership)
class ProgrammeMembershipAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["town", "programme", "joined_on", "left_on", "status"]
    list_filter = ["status", "programme"]
    search_fields = ["town__name", "programme__name"]


class TaskInline(SystemAdminOnly, admin.TabularInline):
    model = models.ReformTask
    extra = 0


@admin.register(models.ReformPlan)
class ReformPlanAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "town", "adopted_on", "document"]
    search_fields = ["title", "town__name"]
    autocomplete_fields = ["town", "document"]
    inlines = [TaskInline]


@admin.register(models.ReformTask)
class ReformTaskAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "plan", "lead_unit", "deadline", "status", "completed_on"]
    list_filter = ["status", "is_generated"]
    search_fields = ["title", "lead_unit", "plan__town__name"]


@admin.register(models.AssessmentScheme)
class AssessmentSchemeAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "region", "subject", "county_weight", "town_weight", "min_town_weight"]
    list_filter = ["subject", "region"]
    search_fields = ["name"]


@admin.register(models.AssessmentScore)
class AssessmentScoreAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["assessed_unit", "town", "year", "county_score", "town_score", "scheme"]
    list_filter = ["year", "scheme__subject"]
    search_fields = ["assessed_unit", "town__name"]


@admin.register(models.TownAnnualAssessment)
class TownAnnualAssessmentAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["town", "year", "score", "grade", "rank_in_county"]
    list_filter = ["year", "grade"]
    search_fields = ["town__name"]
