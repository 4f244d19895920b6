"""After a save the clerk reads which record was saved, and at once any policy alert the save raised."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stats.models import Alert, AlertRule
from tests.factories import AssessmentSchemeFactory, FiscalYearRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def scheme_post(scheme, **changes):
    data = {
        "region": scheme.region.pk,
        "name": scheme.name,
        "subject": scheme.subject,
        "county_weight": "30",
        "town_weight": "70",
        "min_town_weight": "60",
        "valid_from": "2021-01-01",
        "valid_until": "",
        "document": "",
        "version": scheme.version,
    }
    data.update(changes)
    return data


@pytest.fixture
def scheme():
    return AssessmentSchemeFactory(name="济宁派驻机构考核")


@pytest.fixture
def clerk(client, scheme):
    client.force_login(UserFactory(region=scheme.region))
    return client


def messages_on(response):
    return [str(m) for m in response.context["messages"]]


def test_a_save_names_the_record(clerk, scheme):
    url = reverse("reforms:schemes_update", args=[scheme.pk])
    response = clerk.post(url, scheme_post(scheme, name="济宁派驻机构考核(修订)"), follow=True)
    assert "已保存考核方案“济宁派驻机构考核(修订)”。" in messages_on(response)


def test_a_new_record_is_named_too(clerk, scheme):
    data = scheme_post(scheme, name="新考核方案")
    del data["version"]
    response = clerk.post(reverse("reforms:schemes_create"), data, follow=True)
    assert "已新增考核方案“新考核方案”。" in messages_on(response)


def test_weight_below_minimum_is_raised_and_shown_on_save(clerk, scheme):
    url = reverse("reforms:schemes_update", args=[scheme.pk])
    response = clerk.post(url, scheme_post(scheme, county_weight="50", town_weight="50"), follow=True)
    expected = "此次保存触发预警:考核方案“济宁派驻机构考核”的镇级权重 50% 低于规定下限 60%。"
    assert expected in messages_on(response)
    assert Alert.objects.filter(rule=AlertRule.TOWN_WEIGHT_LOW, subject_id=scheme.pk, is_open=True).count() == 1


def test_correcting_the_weight_closes_the_alert_on_save(clerk, scheme):
    url = reverse("reforms:schemes_update", args=[scheme.pk])
    clerk.post(url, scheme_post(scheme, county_weight="50", town_weight="50"), follow=True)
    scheme.refresh_from_db()
    response = clerk.post(url, scheme_post(scheme), follow=True)
    assert not [m for m in messages_on(response) if "预警" in m]
    assert not Alert.objects.filter(rule=AlertRule.TOWN_WEIGHT_LOW, is_open=True).exists()


def test_unpaid_promise_past_due_is_shown_on_save(client):
    record = FiscalYearRecordFactory(year=2024, promised=Decimal(2000000), paid=Decimal(2000000), due_on=None)
    client.force_login(UserFactory(region=record.arrangement.town.county))
    data = {
        "arrangement": record.arrangement.pk,
        "year": 2024,
        "promised": "200",
        "paid": "50",
        "due_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "version": record.version,
    }
    response = client.post(reverse("finance:years_update", args=[record.pk]), data, follow=True)
    shown = [m for m in messages_on(response) if m.startswith("此次保存触发预警:")]
    arrangement = record.arrangement
    alert = f"{arrangement.town.name}的“{arrangement.title}”2024 年度承诺 200 万元,逾期已兑现 50 万元。"
    assert shown == [f"此次保存触发预警:{alert}"]
