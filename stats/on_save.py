"""Policy alerts of a saved record, evaluated when it is saved rather than at the next recompute.

A scheme belongs to a region, not a town, so no town's recompute looks at it: without this its
weight-below-minimum alert waited for the nightly run. The same upkeep for a town's record lets the
clerk read, on the page the save leads to, the alert the save raised.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.scoping import town_of
from finance.models import FiscalYearRecord
from reforms.models import AssessmentScheme, ReformTask, TownAnnualAssessment
from staffing.models import FilledPosts, Secondment

from . import alerts
from .models import Alert, AlertRule

logger = logging.getLogger(__name__)

# The rules whose breaches have a record of the model as their subject.
RULES = {
    AssessmentScheme: (alerts.scheme_breaches, [AlertRule.TOWN_WEIGHT_LOW]),
    Secondment: (alerts.secondment_breaches, [AlertRule.SECONDMENT_TOO_LONG, AlertRule.SECONDMENT_TOO_EARLY]),
    FilledPosts: (alerts.overstaffing_breaches, [AlertRule.OVERSTAFFED]),
    FiscalYearRecord: (alerts.fiscal_breaches, [AlertRule.FISCAL_UNPAID]),
    TownAnnualAssessment: (alerts.assessment_breaches, [AlertRule.ASSESSMENT_FAILED_TWICE]),
    ReformTask: (alerts.task_breaches, [AlertRule.TASK_OVERDUE]),
}


def _key(row):
    return row["rule"], row["subject_id"], row["key"]


def sync_subject_alerts(instance):
    """Open and close the alerts whose subject is ``instance`` so that they match its breaches today."""
    rule, codes = RULES[type(instance)]
    town = town_of(instance)
    subject_type = ContentType.objects.get_for_model(type(instance))
    found = alerts.found_rows(timezone.localdate(), None if town is None else [town.pk], [rule])
    found = {_key(row): row for row in found if row["subject_id"] == instance.pk}
    now = timezone.now()
    for alert in Alert.objects.filter(subject_type=subject_type, subject_id=instance.pk, rule__in=codes, is_open=True):
        if found.pop((alert.rule, alert.subject_id, alert.key), None) is None:
            alert.is_open, alert.closed_at = False, now
            alert.save(update_fields=["is_open", "closed_at"])
    Alert.objects.bulk_create([Alert(**row, is_open=True, opened_at=now) for row in found.values()])


def on_record_changed(sender, instance, action, figure_free=False, **kwargs):
    """Inside the write's transaction; a failure here is logged and never refuses the write.

    A change to ``figure_free_fields`` alone (a task's lead unit), or none, cannot raise or close an alert.
    """
    if action == "delete" or figure_free or type(instance) not in RULES:
        return
    try:
        with transaction.atomic():
            sync_subject_alerts(instance)
    except DatabaseError:
        logger.exception("alerts of %s %s not evaluated on save", sender.__name__, instance.pk)


def on_records_changed(sender, changes, **kwargs):
    """Several rows written together: each as ``on_record_changed`` takes one."""
    for instance, action in changes:
        on_record_changed(sender, instance, action)


def open_alert_messages(sender, instance, **kwargs):
    """The messages of the open alerts whose subject is ``instance``, in the active language."""
    if type(instance) not in RULES:
        return []
    subject_type = ContentType.objects.get_for_model(type(instance))
    open_alerts = Alert.objects.filter(subject_type=subject_type, subject_id=instance.pk, is_open=True)
    return [alert.message for alert in open_alerts.order_by("since", "pk")]
