"""How fast a list pages through thousands of rows (run with `make bench`)."""

import time

import pytest
from django.urls import reverse

from delegation.models import DelegatedPower, PowerItem
from tests.factories import DelegatedPowerFactory, UserFactory

ROWS = 5000


@pytest.mark.benchmark
@pytest.mark.django_db
def test_power_list_pages_through_thousands_of_rows(client, django_assert_max_num_queries):
    seed = DelegatedPowerFactory()
    department = seed.item.source_department
    items = PowerItem.objects.bulk_create(
        PowerItem(name=f"事项-{n:05d}", type_code="02", source_department=department, county=department.county)
        for n in range(ROWS)
    )
    DelegatedPower.objects.bulk_create(
        DelegatedPower(
            town=seed.town, catalogue=seed.catalogue, item=item, mode="direct", delegated_on=seed.delegated_on
        )
        for item in items
    )
    client.force_login(UserFactory(region=seed.town.county))
    url = reverse("delegation:powers_list")
    timings = {}
    for label, params in {
        "first page": {},
        "last page": {"page": "last"},
        "sorted by item name, desc": {"sort": "-item__name", "page": 50},
        "filtered by status": {"take_over_status": "pending", "page": 20},
    }.items():
        # Two of them fill the region and town pickers, whatever the number of rows.
        with django_assert_max_num_queries(14):
            started = time.perf_counter()
            response = client.get(url, params)
            timings[label] = time.perf_counter() - started
        assert response.status_code == 200
    started = time.perf_counter()
    export = client.get(reverse("delegation:powers_export", args=["xlsx"]))
    timings["xlsx export, all rows"] = time.perf_counter() - started
    assert export.status_code == 200
    for label, seconds in timings.items():
        print(f"{ROWS + 1} powers, {label}: {seconds * 1000:.0f} ms")
    assert max(v for k, v in timings.items() if "export" not in k) < 1.0
