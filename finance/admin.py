from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LedgerAdminMixin, SystemAdminOnly

from . import models


class YearRecordInline(SystemAdminOnly, admin.TabularInline):
    model = models.FiscalYearRecord
    extra = 0


@admin.register(models.FiscalArrangement)
class FiscalArrangementAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["title", "town", "kind", "promised_per_year", "share_percent", "from_year"]
    list_filter = ["kind", "unit"]
    search_fields = ["title", "town__name"]
    inlines = [YearRecordInline]


@admin.register(models.FiscalYearRecord)
class FiscalYearRecordAdmin(LedgerAdminMixin, SystemAdminOnly, SimpleHistoryAdmin):
    list_display = ["arrangement", "year", "amount_due", "promised", "paid", "paid_on"]
    list_filter = ["year", "arrangement__kind"]
    search_fields = ["arrangement__title", "arrangement__town__name"]
