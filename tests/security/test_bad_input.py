"""Bad input is refused with a clear answer naming what is wrong, never a 500, and writes nothing."""

import json
import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from delegation.models import MonthlyCaseCount
from tests.api.conftest import client_for
from tests.factories import DelegatedPowerFactory, TownFactory, UserFactory

BULK = "/api/v1/case-counts/bulk/"
TOO_BIG = 2**31  # one beyond the largest count the column holds (PositiveIntegerField: 0..2147483647)
IMPOSSIBLE_MONTHS = ["2031-02-31", "0001-01", "2026-13", "abcd", "2026-00", "10000-01"]


@pytest.fixture
def town(db):
    return TownFactory()


@pytest.fixture
def editor(town):
    return UserFactory(region=town.county)


@pytest.fixture
def powers(town):
    return [DelegatedPowerFactory(town=town) for _ in range(3)]


def item(power, month="2026-10", accepted=10, closed=9):
    return {
        "town_code": power.town.code,
        "implementation_code": power.item.implementation_code,
        "month": month,
        "accepted": accepted,
        "closed": closed,
    }


def assert_error_format(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "detail", "fields"}
    assert body["status"] == status
    return body


# ------------------------------------------------------------------ identical pushes at the same moment


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: nothing to race")
@pytest.mark.django_db(transaction=True)
def test_identical_bulk_pushes_at_the_same_moment_both_succeed(editor, powers):
    """Each round two threads post the same batch of new rows at once, each on its own connection."""
    for round_ in range(10):
        month = f"2025-{round_ + 1:02d}"
        body = {"items": [item(power, month=month, accepted=round_ + 5) for power in powers]}
        start, answers = threading.Barrier(2), []

        def push(body=body, start=start, answers=answers):
            client = APIClient(raise_request_exception=False)  # a 500 is an answer to count, not a crash
            client.force_authenticate(editor)
            start.wait()
            try:
                response = client.post(BULK, body, format="json")
                is_json = response["Content-Type"].startswith("application/json")
                answers.append((response.status_code, response.json() if is_json else None))
            finally:
                connection.close()

        threads = [threading.Thread(target=push) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [status for status, _body in answers] == [200, 200], answers
        totals = [b["created"] + b["updated"] + b["unchanged"] for _status, b in answers]
        assert totals == [3, 3]
        # Every row is created exactly once between the two; the other push finds it already written.
        assert sum(b["created"] for _status, b in answers) == 3
        assert sum(b["updated"] for _status, b in answers) == 0
        rows = MonthlyCaseCount.objects.filter(month=f"{month}-01")
        assert sorted(rows.values_list("power_id", "accepted", "closed", "version")) == sorted(
            (power.pk, round_ + 5, 9, 1) for power in powers
        )


# ------------------------------------------------------------------ counts beyond the column's range


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["accepted", "closed"])
def test_bulk_count_beyond_the_column_is_400_naming_the_field(editor, powers, field):
    body = {"items": [item(powers[0]), item(powers[1], **{field: TOO_BIG})]}
    response = client_for(editor).post(BULK, body, format="json")
    body = assert_error_format(response, 400)
    assert set(body["fields"]["items"]) == {"1"}
    assert set(body["fields"]["items"]["1"]) == {field}
    assert not MonthlyCaseCount.objects.exists()


@pytest.mark.django_db
def test_bulk_largest_count_the_column_holds_is_accepted(editor, powers):
    body = {"items": [item(powers[0], accepted=TOO_BIG - 1, closed=TOO_BIG - 1)]}
    response = client_for(editor).post(BULK, body, format="json")
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert MonthlyCaseCount.objects.get().accepted == TOO_BIG - 1


def case_count_csv(rows):
    lines = ["镇代码,实施编码,月份,办理主体,受理件数,办结件数"] + [",".join(map(str, row)) for row in rows]
    return SimpleUploadedFile("counts.csv", "\n".join(lines).encode("utf-8-sig"), content_type="text/csv")


@pytest.mark.django_db
def test_import_preview_names_the_row_whose_count_is_beyond_the_column(client, editor, powers):
    power = powers[0]
    upload = case_count_csv(
        [
            [power.town.code, power.item.implementation_code, "2025-03", "镇", 5, 4],
            [power.town.code, powers[1].item.implementation_code, "2025-03", "镇", 5, TOO_BIG],
        ]
    )
    client.force_login(editor)
    response = client.post(reverse("delegation:case_count_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "办结件数" in page
    assert "2147483647" in page  # the reason says what the largest allowed count is
    assert not MonthlyCaseCount.objects.exists()


# ------------------------------------------------------------------ impossible months


@pytest.mark.django_db
@pytest.mark.parametrize("month", IMPOSSIBLE_MONTHS)
def test_bulk_impossible_month_is_400_naming_the_field(editor, powers, month):
    body = {"items": [item(powers[0]), item(powers[1], month=month)]}
    response = client_for(editor).post(BULK, body, format="json")
    body = assert_error_format(response, 400)
    assert set(body["fields"]["items"]) == {"1"}
    assert set(body["fields"]["items"]["1"]) == {"month"}
    assert not MonthlyCaseCount.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-10", "2026-10-01", "2026-10-17"])
def test_bulk_real_months_are_accepted(editor, powers, month):
    response = client_for(editor).post(BULK, {"items": [item(powers[0], month=month)]}, format="json")
    assert response.status_code == 200
    assert str(MonthlyCaseCount.objects.get().month) == "2026-10-01"


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2031-02-31", "0001-01-01", "2026-13-01", "abcd"])
def test_record_api_and_form_refuse_impossible_months(client, editor, powers, month):
    data = {"power": powers[0].pk, "month": month, "handled_by": "town", "accepted": 1, "closed": 1}
    response = client_for(editor).post("/api/v1/case-counts/", data, format="json")
    body = assert_error_format(response, 400)
    assert "month" in body["fields"]
    client.force_login(editor)
    page = client.post(reverse("delegation:case-counts_create"), data)
    assert page.status_code == 200
    assert 'id="id_month-errors"' in page.content.decode()
    assert not MonthlyCaseCount.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/case-counts/", "month_from"),
        ("/api/v1/case-counts/", "month_to"),
        ("/api/v1/stats/figures/", "period"),
        ("/api/v1/stats/figures/", "period_from"),
        ("/api/v1/stats/power-figures/", "period_to"),
    ],
)
@pytest.mark.parametrize("month", IMPOSSIBLE_MONTHS)
def test_month_filters_refuse_impossible_months(editor, url, param, month):
    response = client_for(editor).get(url, {param: month})
    body = assert_error_format(response, 400)
    assert param in body["fields"]


# ------------------------------------------------------------------ hostile bodies and query strings


@pytest.mark.django_db
def test_deeply_nested_json_is_400_in_the_api_format(editor):
    depth = 100_000
    response = client_for(editor).post(BULK, "[" * depth + "]" * depth, content_type="application/json")
    assert_error_format(response, 400)


@pytest.mark.django_db
def test_api_body_over_the_size_limit_is_413_in_the_api_format(editor):
    body = b'{"items": [' + b" " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b"]}"
    response = client_for(editor).post(BULK, body, content_type="application/json")
    assert assert_error_format(response, 413)["code"] == "request_too_large"


@pytest.mark.django_db
def test_the_size_limit_admits_the_largest_batch(editor, powers):
    """5000 items with every field at its longest, pretty-printed, still fit the limit."""
    longest = {
        "town_code": "9" * 12,
        "implementation_code": "X" * 64,
        "month": "2026-10-01",
        "handled_by": "county_department",
        "accepted": TOO_BIG - 1,
        "closed": TOO_BIG - 1,
    }
    body = json.dumps({"items": [longest] * 5000}, indent=4).encode()
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client_for(editor).post(BULK, body, content_type="application/json")
    assert response.status_code == 400  # the items are unknown powers, but the body was read
    assert set(response.json()["fields"]["items"]) == {str(i) for i in range(5000)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/towns/?q=%00",
        "/towns/?q=a%00b",
        "/delegation/powers/?implementation_code=%00",
        "/delegation/case-counts/?town=%00",
        "/dashboard/region/371581/?period=%00",
    ],
)
def test_nul_in_a_page_query_string_is_never_a_500(client, editor, url):
    client.force_login(editor)
    assert client.get(url).status_code in (200, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/towns/?search=%00",
        "/api/v1/delegated-powers/?implementation_code=%00",
        "/api/v1/case-counts/?town=%00",
        "/api/v1/organs/?region=%00",
        "/api/v1/towns/?ordering=%00",
    ],
)
def test_nul_in_an_api_query_string_is_refused_in_the_api_format(editor, url):
    response = client_for(editor).get(url)
    body = assert_error_format(response, 400)
    assert body["code"] == "invalid_query"
