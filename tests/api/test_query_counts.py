"""A list costs the same number of SQL queries for 1 row as for 100: no query per row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reforms.models import PilotProgramme, ProgrammeMembership
from tests.factories import TownFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def programme_with_towns(county, index):
    programme = PilotProgramme.objects.create(name=f"试点{index}", region=county.parent, started_on=dt.date(2019, 1, 1))
    for offset in range(2):
        town = TownFactory(county=county, code=f"{county.code}{2 * index + offset:03d}000")
        ProgrammeMembership.objects.create(programme=programme, town=town, joined_on=dt.date(2019, 1, 1))
    return programme


# Every ledger model's list is checked with a few rows in tests/api/test_ledger_models.py; programmes
# are checked here too, with their towns, which that generic case does not build.
BUILDERS = {"programmes": programme_with_towns}


def list_queries(client, endpoint):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{endpoint}/", {"page_size": 100})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("endpoint", BUILDERS)
def test_list_query_count_does_not_grow_with_rows(endpoint, users, county_a):
    client = client_for(users["reviewer"])
    BUILDERS[endpoint](county_a, 0)
    list_queries(client, endpoint)  # warm per-process caches (content types, translations)
    one, rows = list_queries(client, endpoint)
    assert rows >= 1
    for index in range(1, 100):
        BUILDERS[endpoint](county_a, index)
    hundred, rows = list_queries(client, endpoint)
    assert rows == 100
    assert hundred == one
