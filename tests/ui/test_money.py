"""Amounts read in 万元 with separators and the unit on every page, and forms take 万元."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stats.models import Alert, AlertRule
from tests.factories import FiscalArrangementFactory, FiscalYearRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return FiscalYearRecordFactory(promised=Decimal("19200000.00"), paid=Decimal("15000000.00"), year=2024)


@pytest.fixture
def clerk(client, record):
    client.force_login(UserFactory(region=record.arrangement.town.county))
    return client


def test_list_shows_wan_yuan(clerk, record):
    page = clerk.get(reverse("finance:years_list")).content.decode()
    assert "1,920 万元" in page
    assert "19200000.00" not in page


def test_detail_shows_wan_yuan(clerk, record):
    page = clerk.get(reverse("finance:years_detail", args=[record.pk])).content.decode()
    assert "1,920 万元" in page
    assert "1,500 万元" in page


def test_land_quota_reads_in_mu(clerk, record):
    land = FiscalArrangementFactory(town=record.arrangement.town, kind="land_quota", unit="mu", promised_per_year=100)
    page = clerk.get(reverse("finance:arrangements_detail", args=[land.pk])).content.decode()
    assert "100 亩" in page


def test_home_page_shows_wan_yuan(clerk, record):
    page = clerk.get(reverse("home")).content.decode()
    assert "承诺资金(万元)" in page
    assert "1,920" in page
    assert "19,200,000" not in page


def test_form_shows_and_takes_wan_yuan(clerk, record):
    url = reverse("finance:years_update", args=[record.pk])
    form = clerk.get(url).content.decode()
    assert 'value="1920"' in form
    assert "万元" in form
    data = {
        "arrangement": record.arrangement.pk,
        "year": record.year,
        "promised": "1920.5",
        "paid": "1500",
        "version": record.version,
    }
    assert clerk.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.promised == Decimal("19205000.00")
    assert record.paid == Decimal("15000000.00")


def test_alert_names_the_amounts_in_wan_yuan(record):
    alert = Alert(
        rule=AlertRule.FISCAL_UNPAID,
        params={"town": "烟店镇", "title": "超收返还", "year": 2024, "promised": "19200000.00", "paid": "15000000.00"},
    )
    assert alert.message_in("zh-hans") == "烟店镇的“超收返还”2024 年度承诺 1,920 万元,逾期已兑现 1,500 万元。"


def test_export_gives_wan_yuan_with_a_number_format(clerk, record):
    response = clerk.get(reverse("finance:years_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("承诺额(万元)") + 1
    value = sheet.cell(row=2, column=column)
    assert value.value == 1920
    assert value.number_format == "#,##0.00####"
