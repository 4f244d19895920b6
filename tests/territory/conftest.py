"""Two counties, a town in each (and a second town in the first), departments, and one user per role."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from reforms.models import Region
from tests.factories import CountyFactory, DepartmentFactory, TownFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, admin_user):
    county = CountyFactory()
    other_county = CountyFactory(code="371522", name="莘县")
    town = TownFactory(county=county, name="烟店镇")
    neighbour = TownFactory(county=county, name="松林镇")
    environment = DepartmentFactory(county=county, name="生态环境分局")
    housing = DepartmentFactory(county=county, name="住建局")
    foreign = DepartmentFactory(county=other_county, name="莘县生态环境分局")
    return {
        "county": county,
        "other_county": other_county,
        "town": town,
        "neighbour": neighbour,
        "environment": environment,
        "housing": housing,
        "foreign": foreign,
        "clerk": UserFactory(username="clerk", role="town_staff", region=county, town=town),
        "neighbour_clerk": UserFactory(username="nclerk", role="town_staff", region=county, town=neighbour),
        "responder": UserFactory(username="responder", role="department_staff", region=county, department=environment),
        "housing_responder": UserFactory(
            username="hresponder", role="department_staff", region=county, department=housing
        ),
        "office": UserFactory(username="office", region=county),
        "platform": UserFactory(username="hotline", region=county, is_service_account=True),
        "reviewer": UserFactory(username="reviewer", role="reviewer", region=Region.objects.get(code="371500")),
        "admin": admin_user,
    }


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def mid_month():
    """The clock at noon on the 15th of this month, running: hours before it are in the same month and year."""
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate().replace(day=15), dt.time(12)))
    with time_machine.travel(noon, tick=True):
        yield
