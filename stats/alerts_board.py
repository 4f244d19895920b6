"""The alerts board's filters and the link from an alert to the record that breaches the rule."""

import datetime as dt

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LedgerFilterSet
from core.registry import page_for

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


def record_url(alert):
    """The detail page of the alert's subject, or the town's page when the subject has none."""
    page = page_for(alert.subject_type.model_class())
    if page is not None:
        return page.url("detail", alert.subject_id)
    if alert.town_id:
        return reverse("reforms:town_page", args=[alert.town_id])
    return None
