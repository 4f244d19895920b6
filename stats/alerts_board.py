"""The alerts board's filters and the link from an alert to the record that breaches the rule."""

import datetime as dt
import functools

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet

from .models import Alert, AlertRule

AGES = [
    ("lt30", _("30 天以内")),
    ("30-90", _("30–90 天")),
    ("90-365", _("90 天–1 年")),
    ("gt365", _("1 年以上")),
]
AGE_DAYS = {"lt30": (None, 30), "30-90": (30, 90), "90-365": (90, 365), "gt365": (365, None)}


class AlertBoardFilterSet(LedgerFilterSet):
    """Open alerts by rule, region or town code, and age (days since the breach began)."""

    rule = django_filters.ChoiceFilter(choices=AlertRule.choices, label=_("规则"))
    age = django_filters.ChoiceFilter(choices=AGES, method="filter_age", label=_("持续时间"))

    class Meta:
        model = Alert
        fields = ["rule"]

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_age(self, queryset, name, value):
        low, high = AGE_DAYS[value]
        if low is not None:
            queryset = queryset.filter(since__lte=self.today - dt.timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(since__gt=self.today - dt.timedelta(days=high))
        return queryset


@functools.cache
def _ledger_uis():
    """{model: LedgerUI} of every ledger page, so that an alert links to its subject's detail page."""
    from core.ui import LedgerUI
    from delegation import views as delegation_views
    from finance import views as finance_views
    from reforms import views as reforms_views
    from staffing import views as staffing_views
    from territory import views as territory_views

    uis = {}
    for module in (reforms_views, delegation_views, staffing_views, finance_views, territory_views):
        for value in vars(module).values():
            if isinstance(value, LedgerUI):
                uis[value.model] = value
    return uis


def record_url(alert):
    """The detail page of the alert's subject, or the town's page when the subject has none."""
    ui = _ledger_uis().get(alert.subject_type.model_class())
    if ui is not None:
        return ui.url("detail", alert.subject_id)
    if alert.town_id:
        from django.urls import reverse

        return reverse("reforms:town_page", args=[alert.town_id])
    return None
