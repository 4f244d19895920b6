"""The registry of ledger models: declared once, read by the URLs, the API router and the alerts' links."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from config.api_urls import READ_ONLY_ROUTES, router
from core.registry import Ledger, api_routes, ledger_for, ledgers, page_for, register
from delegation.models import DelegatedPower
from reforms.models import Region
from stats.alerts_board import record_url
from stats.models import Alert, AlertRule
from tests.factories import PilotProgrammeFactory, SecondmentFactory


def test_the_api_router_serves_exactly_the_registered_models():
    assert [(prefix, viewset) for prefix, viewset, _basename in router.registry] == api_routes() + READ_ONLY_ROUTES
    assert len(api_routes()) == len(ledgers())


def test_every_page_of_the_registry_has_its_urls():
    for entry in ledgers():
        if entry.page is not None:
            namespace = entry.model._meta.app_label
            assert reverse(f"{namespace}:{entry.page.slug}_list") == entry.page.url("list")


def test_a_model_is_declared_once():
    entry = ledger_for(DelegatedPower)
    with pytest.raises(ValueError, match="declared twice"):
        register(Ledger(DelegatedPower, "again", entry.viewset))
    assert ledger_for(DelegatedPower) is entry


def test_reference_data_without_pages_has_no_page():
    assert page_for(Region) is None
    assert ledger_for(Region).api_prefix == "regions"
    assert page_for(DelegatedPower).url("detail", 7) == "/delegation/powers/7/"


@pytest.mark.django_db
def test_an_alert_links_to_its_records_page_found_in_the_registry():
    secondment = SecondmentFactory()
    programme = PilotProgrammeFactory()  # API only: no page, so the alert links to its town's page

    def alert(subject, town):
        subject_type = ContentType.objects.get_for_model(subject)
        return Alert(rule=AlertRule.SECONDMENT_TOO_LONG, subject_type=subject_type, subject_id=subject.pk, town=town)

    assert record_url(alert(secondment, secondment.town)) == f"/staffing/secondments/{secondment.pk}/"
    assert record_url(alert(programme, secondment.town)) == reverse("reforms:town_page", args=[secondment.town.pk])
    assert record_url(alert(programme, None)) is None
