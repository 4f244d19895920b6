"""Timings of pages and API endpoints against their floor, in-process (Django test client, no network).

Each figure is the median and 95th percentile of ``samples`` requests after one warm-up request, with
the number of SQL queries the request ran. The API floor is one raw SQL statement returning the same
page (same rows, same fields, same scope and filters) as JSON built by PostgreSQL's ``json_agg``.
"""

import os
import statistics
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from core.models import User
from delegation.models import DelegatedPower, PowerItem
from reforms.models import Region, Town
from stats.dashboards import home_region
from stats.models import PowerFigure

# The API list measured: 100 delegated powers, two filters.
API_FILTERS = {"take_over_status": "taken_over", "type_code": "02"}
# A host the settings allow (the test client's default "testserver" is not).
HOST = "127.0.0.1"


def bench_users():
    """A provincial reviewer and a county editor over the first generated province (created once)."""
    town = Town.objects.select_related("county__parent").order_by("pk").first()
    province = town.county.parent.parent
    reviewer, _created = User.objects.get_or_create(
        username="bench_reviewer", defaults={"role": User.Role.REVIEWER, "region": province}
    )
    editor, _created = User.objects.get_or_create(
        username="bench_editor", defaults={"role": User.Role.COUNTY_EDITOR, "region": town.county}
    )
    for user in (reviewer, editor):
        user.set_password(os.environ.get("BENCH_PASSWORD", "demo-pass-2026"))
        user.save(update_fields=["password"])
    return reviewer, editor, town


def percentiles(durations):
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def time_request(client, url, samples, **headers):
    """(median ms, p95 ms, queries, status) of GET ``url``."""
    response = client.get(url, **headers)  # warm-up
    queries = []
    # Counted by a wrapper: the query log is reset when each request starts.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(url, **headers)
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        client.get(url, **headers)
        durations.append(time.perf_counter() - started)
    return (*percentiles(durations), len(queries), response.status_code)


def time_sql(sql, params, samples):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # warm-up
        durations = []
        for _ in range(samples):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            durations.append(time.perf_counter() - started)
    return percentiles(durations)


def api_floor_sql(region_id):
    """The API page as one raw SQL statement: same scope, filters, order, fields; JSON from the database."""
    q = connection.ops.quote_name
    powers, items, towns, regions = (q(m._meta.db_table) for m in (DelegatedPower, PowerItem, Town, Region))
    columns = [f"p.{f.column}" for f in DelegatedPower._meta.concrete_fields]
    sql = (
        f"SELECT json_agg(r) FROM (SELECT {', '.join(columns)}, t.code AS town_code, "  # noqa: S608 (identifiers from model metadata)
        f"i.implementation_code, i.name AS item_name, i.type_code FROM {powers} p "
        f"JOIN {towns} t ON t.id = p.town_id JOIN {items} i ON i.id = p.item_id "
        f"JOIN {regions} c ON c.id = t.county_id LEFT JOIN {regions} ci ON ci.id = c.parent_id "
        f"WHERE p.take_over_status = %s AND i.type_code = %s AND (c.id = %s OR c.parent_id = %s OR ci.parent_id = %s) "
        f"ORDER BY p.id LIMIT 101) r"
    )
    return sql, [API_FILTERS["take_over_status"], API_FILTERS["type_code"], region_id, region_id, region_id]


def dashboard_url(user):
    """The overview page ``user`` lands on from ``/dashboard/``: their home region's."""
    return reverse("stats:region", args=[home_region(user).code])


def run_page_benchmark(samples=50):
    """{figure name: (median ms, p95 ms, queries, status)} for the API list, its floor and the pages."""
    reviewer, editor, town = bench_users()
    api, browser = Client(HTTP_HOST=HOST), Client(HTTP_HOST=HOST)
    api.force_login(reviewer)
    browser.force_login(reviewer)
    query = "&".join(f"{k}={v}" for k, v in API_FILTERS.items())
    results = {
        "API list: 100 delegated powers, 2 filters (reviewer)": time_request(
            api, f"/api/v1/delegated-powers/?page_size=100&{query}", samples, HTTP_ACCEPT="application/json"
        ),
        "API floor: the same page as json_agg, one statement": (
            *time_sql(*api_floor_sql(reviewer.region_id), samples),
            1,
            200,
        ),
        "town page (reviewer)": time_request(browser, reverse("reforms:town_page", args=[town.pk]), samples),
    }
    results["my towns page, first page (reviewer)"] = time_request(browser, reverse("reforms:my_towns"), samples)
    editor_client = Client(HTTP_HOST=HOST)
    editor_client.force_login(editor)
    results["town page (county editor)"] = time_request(
        editor_client, reverse("reforms:town_page", args=[town.pk]), samples
    )
    url = dashboard_url(reviewer)
    results[f"overview page {url} (reviewer)"] = time_request(browser, url, samples)
    return results


def run_period_benchmark(samples=20, months=24):
    """{month: (median ms, p95 ms, queries, status)} of the reviewer's overview page at each of the
    ``months`` latest months the statistics hold (issue 14: switching the period)."""
    reviewer, _editor, _town = bench_users()
    browser = Client(HTTP_HOST=HOST)
    browser.force_login(reviewer)
    url = dashboard_url(reviewer)
    periods = PowerFigure.objects.values_list("period", flat=True).distinct().order_by("-period")[:months]
    return {f"{period:%Y-%m}": time_request(browser, f"{url}?period={period:%Y-%m}", samples) for period in periods}


# Call-and-respond (issue 16): the department inbox and the county office's board ------------------


def _scoped_user(username, role, county, **scope):
    """A bench account of ``role`` in ``county`` (with its town or department), created or re-pointed."""
    user, _created = User.objects.get_or_create(username=username, defaults={"role": role, "region": county, **scope})
    fields = {"role": role, "region": county, "town": None, "department": None, **scope}
    if any(getattr(user, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(user, name, value)
        user.save()
    return user


def inbox_subjects():
    """The smallest and the largest department (by calls) of the bench town's county, and the counties
    with the fewest and the most calls: the same pages at two data sizes, whose query counts must not
    differ. Returns {size: (department, county, town)}."""
    from django.db.models import Count

    from delegation.models import Department
    from territory.models import Call

    _reviewer, _editor, town = bench_users()
    departments = Department.objects.filter(county=town.county_id).annotate(n=Count("calls")).order_by("n", "pk")
    per_county = Call.objects.values("town__county").annotate(n=Count("pk")).order_by("n", "town__county")
    counties = [row["town__county"] for row in per_county] or [town.county_id]
    subjects = {}
    for size, department, county_id in (
        ("small", departments.first(), counties[0]),
        ("large", departments.last(), counties[-1]),
    ):
        county = Region.objects.get(pk=county_id)
        subjects[size] = (department, county, Town.objects.filter(county=county).order_by("pk").first())
    return subjects


def run_inbox_benchmark(samples=50):
    """{(page, size): (median ms, p95 ms, queries, status, calls listed)}: a department's inbox and its
    three queues (待受理 / 待办结 / 已超时), the county office's board of overdue and disputed calls and a
    town's calls, each at two data sizes (``inbox_subjects``)."""
    from territory.selectors import box_q, call_list

    inbox, calls = reverse("territory:inbox"), reverse("territory:calls_list")
    results = {}
    for size, (department, county, town) in inbox_subjects().items():
        staff = _scoped_user(f"bench_dept_{size}", User.Role.DEPARTMENT_STAFF, department.county, department=department)
        office = _scoped_user(f"bench_office_{size}", User.Role.COUNTY_EDITOR, county)
        clerk = _scoped_user(f"bench_town_{size}", User.Role.TOWN_STAFF, county, town=town)
        pages = [
            ("department inbox (counts of its queues)", staff, inbox),
            ("department queue 待受理", staff, f"{calls}?box=to_accept"),
            ("department queue 待办结", staff, f"{calls}?box=to_close"),
            ("department queue 已超时", staff, f"{calls}?box=overdue"),
            ("county board: inbox counts", office, inbox),
            ("county board: overdue calls", office, f"{calls}?box=overdue"),
            ("county board: disputed calls", office, f"{calls}?box=disputed"),
            ("town's calls (town staff)", clerk, calls),
        ]
        clients = {}
        for name, user, url in pages:
            if user.pk not in clients:
                clients[user.pk] = Client(HTTP_HOST=HOST)
                clients[user.pk].force_login(user)
            # The calls the page lists (or counts): an empty list runs fewer queries than a full one.
            listed = call_list(user=user)
            if "box=" in url:
                listed = listed.filter(box_q(url.rsplit("=", 1)[1]))
            results[(name, size)] = (*time_request(clients[user.pk], url, samples), listed.count())
    return results
