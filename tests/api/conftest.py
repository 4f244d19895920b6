"""A small world for API tests: two counties of one city, their editors, a city reviewer, a token."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.tokens import token_create
from reforms.models import Region
from tests.factories import CountyFactory, TownFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()  # throttling counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def county_a(db):
    return CountyFactory()  # 临清市 under 聊城市


@pytest.fixture
def county_b(db):
    return CountyFactory(code="371522", name="莘县")


@pytest.fixture
def town_a(county_a):
    return TownFactory(county=county_a)


@pytest.fixture
def town_b(county_b):
    return TownFactory(county=county_b)


@pytest.fixture
def users(county_a, county_b, admin_user):
    return {
        "editor_a": UserFactory(region=county_a),
        "editor_b": UserFactory(region=county_b),
        "reviewer": UserFactory(role="reviewer", region=Region.objects.get(code="371500")),
        "admin": admin_user,
        "anonymous": None,
    }


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def service_token(county_a):
    account = UserFactory(username="platform", region=county_a, is_service_account=True)
    token, secret = token_create(user=account, name="省政务服务平台")
    return token, secret
