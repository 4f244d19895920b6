from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import divisions, models
from .services import add_official_towns


class OfficialTownsForm(forms.Form):
    """The official towns of a county not yet in the ledger, ticked to be added."""

    codes = forms.MultipleChoiceField(label=_("镇街"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        have = set(models.Town.objects.filter(county=county).values_list("code", flat=True))
        self.fields["codes"].choices = [
            (d.code, f"{d.name} {d.code}") for d in divisions.official_towns(county.code) if d.code not in have
        ]


@admin.register(models.Region)
class RegionAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    actions = ["pick_official_towns"]
    readonly_fields = ["official_towns_link"]

    @admin.display(description=_("官方区划"))
    def official_towns_link(self, obj):
        if obj is None or obj.pk is None or obj.level != models.Region.Level.COUNTY:
            return "—"
        url = reverse("admin:reforms_region_official_towns", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("从官方区划添加镇街"))

    def get_urls(self):
        url = path(
            "<int:pk>/official-towns/",
            self.admin_site.admin_view(self.official_towns_view),
            name="reforms_region_official_towns",
        )
        return [url, *super().get_urls()]

    @admin.action(description=_("从官方区划添加镇街"))
    def pick_official_towns(self, request, queryset):
        counties = list(queryset.filter(level=models.Region.Level.COUNTY)[:2])
        if len(counties) != 1:
            self.message_user(request, _("请只勾选一个县。"), messages.WARNING)
            return None
        return redirect("admin:reforms_region_official_towns", counties[0].pk)

    def official_towns_view(self, request, pk):
        """Tick a county's towns in the official list: each is created with its official name and code."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        county = get_object_or_404(models.Region, pk=pk, level=models.Region.Level.COUNTY)
        form = OfficialTownsForm(request.POST or None, county=county)
        if request.method == "POST" and form.is_valid():
            try:
                towns = add_official_towns(county, form.cleaned_data["codes"], user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                names = "、".join(t.name for t in towns)
                self.message_user(request, _("已添加 %(n)s 个镇街:%(names)s") % {"n": len(towns), "names": names})
                return redirect("admin:reforms_town_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("从官方区划添加镇街"),
            "county": county,
            "form": form,
            "listed": divisions.county_listed(county.code),
            "opts": self.model._meta,
        }
        return render(request, "admin/reforms/region/official_towns.html", context)


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
