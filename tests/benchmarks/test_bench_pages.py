"""The benchmark's API floor is honest: its one SQL statement returns the page the API returns."""

import json

import pytest
from django.db import connection
from django.test import Client

from benchmarks.bench_pages import API_FILTERS, HOST, api_floor_sql, bench_users, time_request
from benchmarks.generate import generate
from delegation.models import DelegatedPower

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tiny_scale():
    generate("tiny")


def test_api_floor_returns_the_same_rows_and_fields_as_the_api_page(tiny_scale):
    if connection.vendor != "postgresql":
        pytest.skip("json_agg is PostgreSQL's")
    reviewer, _editor, _town = bench_users()
    client = Client(HTTP_HOST=HOST)
    client.force_login(reviewer)
    query = "&".join(f"{k}={v}" for k, v in API_FILTERS.items())
    api = client.get(f"/api/v1/delegated-powers/?page_size=100&{query}").json()["results"]
    with connection.cursor() as cursor:
        cursor.execute(*api_floor_sql(reviewer.region_id))
        (floor,) = cursor.fetchone()
    floor = floor if isinstance(floor, list) else json.loads(floor)

    matching = DelegatedPower.objects.filter(take_over_status="taken_over", item__type_code="02").count()
    assert len(api) == min(100, matching) > 0
    keys = ["id", "town_code", "implementation_code", "item_name", "type_code", "mode", "take_over_status"]
    assert [{k: r[k] for k in keys} for r in api] == [{k: r[k] for k in keys} for r in floor[: len(api)]]
    assert all(r["take_over_status"] == "taken_over" and r["type_code"] == "02" for r in api)


def test_page_timing_counts_the_queries_of_the_request(tiny_scale):
    reviewer, _editor, town = bench_users()
    client = Client(HTTP_HOST=HOST)
    client.force_login(reviewer)
    median, p95, queries, status = time_request(client, f"/towns/town/{town.pk}/", samples=3)
    assert status == 200
    assert queries > 5
    assert 0 < median <= p95


def test_the_calls_floor_computes_the_counts_the_call_figures_store(tiny_scale):
    from django.utils import timezone

    from benchmarks.bench import calls_aggregate_sql
    from stats.services import recompute_all
    from territory.models import CallFigure

    if connection.vendor != "postgresql":
        pytest.skip("the floor is PostgreSQL's SQL")
    today = timezone.localdate()
    recompute_all(today, analyse=False)
    with connection.cursor() as cursor:
        cursor.execute(*calls_aggregate_sql(today))
        rows = cursor.fetchall()
    # Columns: month, county, town, department, calls, accepted, …; a department's row has no town.
    floor = {(month.date(), department): calls for month, _c, town, department, calls, *_ in rows if town is None}
    stored = CallFigure.objects.filter(town__isnull=True, department__isnull=False)
    assert floor
    assert floor == {(row.period, row.department_id): row.calls for row in stored}


def test_the_calls_floor_computes_the_year_figures_a_full_run_stores(tiny_scale):
    from django.db.models import Q
    from django.utils import timezone

    from benchmarks.bench import year_figures_sql
    from reforms.models import Region
    from stats.services import recompute_all
    from territory.models import ItemYearCalls, RegionCallTimes

    if connection.vendor != "postgresql":
        pytest.skip("the floor is PostgreSQL's SQL")
    today = timezone.localdate()
    recompute_all(today, analyse=False)
    (times_sql, times_params), (items_sql, items_params), (never_sql, never_params) = year_figures_sql(today)
    with connection.cursor() as cursor:
        cursor.execute(times_sql, times_params)
        times = {row[0]: row[1] for row in cursor.fetchall()}
        cursor.execute(items_sql, items_params)
        items = {item: (county, calls) for item, county, calls in cursor.fetchall()}
        cursor.execute(never_sql, never_params)
        never_by_county = dict(cursor.fetchall())
    assert times
    assert items
    assert never_by_county
    stored = RegionCallTimes.objects.filter(year=today.year)
    assert times == dict(stored.filter(calls__gt=0).values_list("region_id", "calls"))
    assert items == {row.item_id: (row.county_id, row.calls) for row in ItemYearCalls.objects.filter(year=today.year)}
    for region, never in stored.values_list("region", "items_never_called"):
        under = Region.objects.filter(Q(parent_id=region) | Q(parent__parent_id=region), level=Region.Level.COUNTY)
        assert never == sum(never_by_county.get(county, 0) for county in under.values_list("pk", flat=True))


def test_inbox_benchmark_opens_each_inbox_as_its_user_at_two_data_sizes(tiny_scale):
    from benchmarks.bench_pages import run_inbox_benchmark

    results = run_inbox_benchmark(samples=2)

    assert {size for _name, size in results} == {"small", "large"}
    assert len(results) == 16
    assert {status for _m, _p, _q, status, _n in results.values()} == {200}
    small = results[("department inbox (counts of its queues)", "small")]
    large = results[("department inbox (counts of its queues)", "large")]
    assert 0 < small[4] < large[4]
    assert small[2] == large[2]
