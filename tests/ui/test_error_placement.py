"""A refused save names the box that holds the mistake, in the browser form and in the API's fields."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import services
from delegation.models import MonthlyCaseCount
from finance.models import FiscalYearRecord
from reforms.models import AssessmentScheme
from tests.factories import AssessmentSchemeFactory, FiscalYearRecordFactory, MonthlyCaseCountFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused_fields(model, user, **data):
    with pytest.raises(ValidationError) as refused:
        services.record_create(model, user=user, data=data)
    return refused.value.message_dict


@pytest.fixture
def scheme():
    return AssessmentSchemeFactory()


def scheme_data(scheme, **changes):
    return {
        "region": scheme.region,
        "name": "新方案",
        "subject": scheme.subject,
        "county_weight": Decimal(30),
        "town_weight": Decimal(70),
        "min_town_weight": Decimal(60),
        "valid_from": dt.date(2022, 1, 1),
        **changes,
    }


def test_weight_out_of_range_is_at_that_weight(scheme):
    editor = UserFactory(region=scheme.region)
    fields = refused_fields(
        AssessmentScheme, editor, **scheme_data(scheme, county_weight=Decimal(-20), town_weight=Decimal(120))
    )
    assert "权重必须在 0 到 100 之间。" in fields["county_weight"]
    assert "权重必须在 0 到 100 之间。" in fields["town_weight"]
    assert "min_town_weight" not in fields


def test_negative_paid_is_at_paid():
    record = FiscalYearRecordFactory()
    editor = UserFactory(region=record.arrangement.town.county)
    fields = refused_fields(
        FiscalYearRecord, editor, arrangement=record.arrangement, year=2030, promised=Decimal(100), paid=Decimal(-1)
    )
    assert fields == {"paid": ["金额不能为负数。"]}


def test_duplicate_month_is_at_month():
    count = MonthlyCaseCountFactory()
    editor = UserFactory(region=count.power.town.county)
    fields = refused_fields(MonthlyCaseCount, editor, power=count.power, month=count.month, accepted=1, closed=1)
    assert fields == {"month": ["该事项本月已有办件量记录。"]}


def test_form_shows_negative_paid_under_paid(client):
    record = FiscalYearRecordFactory()
    client.force_login(UserFactory(region=record.arrangement.town.county))
    data = {"arrangement": record.arrangement.pk, "year": 2031, "promised": "1", "paid": "-1"}
    response = client.post(reverse("finance:years_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"paid": ["金额不能为负数。"]}
