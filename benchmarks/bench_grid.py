"""The case-count entry grid: a town's year of 30 and 300 powers × 12 months, rendered and saved a row at a time.

Each figure is the median and 95th percentile of ``samples`` requests (in-process test client, as the
page figures), with the SQL queries of one request: the page's and a row save's must be the same for
30 powers as for 300. The bench towns are made once in the county editor's county, marked generated.
"""

import datetime as dt
import time

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_pages import HOST, bench_users, percentiles, time_request
from delegation.models import DelegatedPower, DelegationCatalogue, Department, MonthlyCaseCount, PowerItem
from reforms.models import Town

GRID_SIZES = (30, 300)
GENERATED = {"is_generated": True}


def bench_year():
    return timezone.localdate().year - 1


def grid_town(county, powers, year):
    """A town of ``county`` with ``powers`` powers in force all ``year``, each with 12 months of counts."""
    name = f"录入表测试镇{powers}"
    town = Town.objects.filter(county=county, name=name).first()
    if town is not None:
        return town
    # The first free town code from the county's end, clear of the generated towns numbered from 101.
    taken = set(Town.objects.filter(county=county).values_list("code", flat=True))
    code = next(c for c in (f"{county.code}{n:03d}000" for n in range(999, 100, -1)) if c not in taken)
    town = Town.objects.create(code=code, name=name, county=county, category="other", **GENERATED)
    department = Department.objects.create(county=county, name=f"录入表测试部门{powers}", **GENERATED)
    catalogue = DelegationCatalogue.objects.create(
        county=county,
        town=town,
        title=f"录入表测试目录{powers}",
        issued_on=dt.date(2019, 1, 1),
        edition=1,
        declared_total=powers,
        count_licence=powers,
        **GENERATED,
    )
    items = PowerItem.objects.bulk_create(
        PowerItem(
            name=f"录入表事项{powers}-{i:03d}",
            type_code="01",
            implementation_code=f"GRID{powers:03d}{i:05d}",
            source="2",
            source_department=department,
            county=county,
            **GENERATED,
        )
        for i in range(powers)
    )
    granted = DelegatedPower.objects.bulk_create(
        DelegatedPower(
            town=town,
            catalogue=catalogue,
            item=item,
            mode="direct",
            delegated_on=dt.date(2019, 3, 1),
            take_over_status="pending",
            **GENERATED,
        )
        for item in items
    )
    MonthlyCaseCount.objects.bulk_create(
        MonthlyCaseCount(power=power, month=dt.date(year, m, 1), accepted=m, closed=m, **GENERATED)
        for power in granted
        for m in range(1, 13)
    )
    return town


def _row_post(power, year, value):
    """The POST of one grid row: all 12 months set to ``value``, with the versions saved now."""
    saved = {c.month.month: c.version for c in MonthlyCaseCount.objects.filter(power=power, handled_by="town")}
    data = {f"r{power.pk}-v": ",".join(str(saved.get(m, "")) for m in range(1, 13))}
    for m in range(1, 13):
        data[f"r{power.pk}-m{m}-accepted"] = str(value)
        data[f"r{power.pk}-m{m}-closed"] = str(value)
    return data


def time_row_save(client, url, power, year, samples):
    """(median ms, p95 ms, queries, status) of saving one row of 12 changed months."""
    client.post(url, _row_post(power, year, 1))  # warm-up
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.post(url, _row_post(power, year, 2))
    durations = []
    for sample in range(samples):
        data = _row_post(power, year, 3 + sample)  # a new value each time, so that every save writes
        started = time.perf_counter()
        client.post(url, data)
        durations.append(time.perf_counter() - started)
    return (*percentiles(durations), len(queries), response.status_code)


def run_grid_benchmark(samples=50, sizes=GRID_SIZES):
    """{figure name: (median ms, p95 ms, queries, status)}: the grid page and a row save at each size."""
    _reviewer, editor, town = bench_users()
    year = bench_year()
    client = Client(HTTP_HOST=HOST)
    client.force_login(editor)
    results = {}
    for powers in sizes:
        grid = grid_town(town.county, powers, year)
        url = f"{reverse('delegation:case-counts_grid', args=[grid.pk])}?year={year}"
        power = DelegatedPower.objects.filter(town=grid).order_by("pk").first()
        results[f"case-count grid page, {powers} powers × 12 months (county editor)"] = time_request(
            client, url, samples
        )
        results[f"case-count grid: save one row of 12 months, {powers} powers (county editor)"] = time_row_save(
            client, url, power, year, samples
        )
    return results
