"""Months read 2025年1月 in Chinese, and a case count is named by its power, not a record number."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import MonthlyCaseCountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def count():
    return MonthlyCaseCountFactory(month=dt.date(2025, 1, 1), power__item__name="食品经营许可")


@pytest.fixture
def clerk(client, count):
    client.force_login(UserFactory(region=count.power.town.county))
    return client


def test_case_count_page_names_its_power_and_month(clerk, count):
    page = clerk.get(reverse("delegation:case-counts_detail", args=[count.pk])).content.decode()
    assert f"{count.power.town.name} · 食品经营许可 · 2025年1月" in page
    assert f"{count.power_id} 2025-01" not in page


def test_case_count_list_shows_months_in_chinese(clerk, count):
    page = clerk.get(reverse("delegation:case-counts_list")).content.decode()
    assert "2025年1月" in page
    assert "2025-01-01" not in page


def test_case_count_form_names_its_power(clerk, count):
    page = clerk.get(reverse("delegation:case-counts_update", args=[count.pk])).content.decode()
    assert f"{count.power.town.name} · 食品经营许可" in page
