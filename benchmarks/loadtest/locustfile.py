"""Mixed load: county edits (API PATCH with If-Match), reviewer pages, platform case-count pushes, and
call-and-respond: department staff working their queues, town staff reading their calls.

Fixtures (accounts, tokens, ids) come from ``manage.py loadtest_fixtures``; see ``benchmarks/loadtest/run.sh``.
Each simulated editor or platform takes its own county's token, so no two users edit the same row.

The users are locust's FastHttpUser: the load generator runs on the machine it measures, and with the
default HttpUser (python-requests) it spent about twice the CPU a request.
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

FIXTURES = json.load(open(os.environ.get("LOADTEST_FIXTURES", "var/loadtest.json")))  # noqa: SIM115
_editor_slots = itertools.count()
_platform_slots = itertools.count()
_reviewer_slots = itertools.count()
_department_slots = itertools.count()
_town_staff_slots = itertools.count()
MONTH = os.environ.get("LOADTEST_MONTH", "2026-10")


class _User(FastHttpUser):
    """Sends every request with this user's headers (its token, or its session's cookie)."""

    abstract = True
    headers: dict[str, str] = {}  # replaced, never changed, by each user's on_start

    def get(self, url, name):
        return self.client.get(url, name=name, headers=self.headers)


class CountyEditor(_User):
    """Reads a reform task, then PATCHes it with the version read (If-Match)."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        mine = FIXTURES["editors"][next(_editor_slots) % len(FIXTURES["editors"])]
        self.headers = {"Authorization": f"Bearer {mine['token']}"}
        self.tasks_ids = mine["tasks"]

    @task
    def edit_task(self):
        pk = random.choice(self.tasks_ids)  # noqa: S311 (load mix, not secrets)
        read = self.get(f"/api/v1/tasks/{pk}/", name="/api/v1/tasks/<pk>/ GET")
        if read.status_code != 200:
            return
        note = f"协办单位{random.randrange(1000)}"  # noqa: S311
        self.client.patch(
            f"/api/v1/tasks/{pk}/",
            json={"cooperating_units": note},
            headers={**self.headers, "If-Match": read.headers["ETag"]},
            name="/api/v1/tasks/<pk>/ PATCH",
        )


class Reviewer(_User):
    """Signed in, reads town pages, the overview page of the province and the open alerts."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        # A session signed in beforehand (loadtest_fixtures): one PBKDF2 login per simulated reviewer
        # at ramp-up would measure password hashing, not the pages.
        mine = FIXTURES["reviewers"][next(_reviewer_slots) % len(FIXTURES["reviewers"])]
        self.headers = {"Cookie": f"{mine['cookie']}={mine['session']}"}

    @task(3)
    def town_page(self):
        pk = random.choice(FIXTURES["towns"])  # noqa: S311
        self.get(f"/towns/town/{pk}/", name="/towns/town/<pk>/")

    @task(2)
    def overview(self):
        self.get(FIXTURES["dashboard"], name="overview page")

    @task(1)
    def alerts(self):
        self.get("/api/v1/stats/alerts/?is_open=true", name="/api/v1/stats/alerts/")


class Platform(_User):
    """A provincial platform pushing one month's case counts for 20 powers of its county."""

    weight = 1
    wait_time = between(1, 2)

    def on_start(self):
        mine = FIXTURES["platforms"][next(_platform_slots) % len(FIXTURES["platforms"])]
        self.headers = {"Authorization": f"Bearer {mine['token']}"}
        self.powers = mine["powers"]

    @task
    def push(self):
        rows = [
            {"power": pk, "month": MONTH, "handled_by": "town", "accepted": n, "closed": n}
            for pk, n in zip(random.sample(self.powers, 20), itertools.repeat(random.randrange(1, 30)))  # noqa: S311
        ]
        self.client.post(
            "/api/v1/case-counts/bulk/", json={"items": rows}, name="/api/v1/case-counts/bulk/", headers=self.headers
        )


class _CallStaff(_User):
    """Signed in (a session made beforehand, as for reviewers), works the inbox and opens calls."""

    abstract = True
    wait_time = between(1, 3)
    fixtures_key, slots = "", None
    queues: tuple[str, ...] = ()

    def on_start(self):
        pool = FIXTURES.get(self.fixtures_key) or []
        if not pool:  # fixtures from a database without calls
            self.stop()
            return
        mine = pool[next(self.slots) % len(pool)]
        self.headers = {"Cookie": f"{mine['cookie']}={mine['session']}"}
        self.calls = mine["calls"]

    @task(2)
    def inbox(self):
        self.get("/territory/inbox/", name=f"inbox ({self.fixtures_key})")

    @task(3)
    def queue(self):
        box = random.choice(self.queues)  # noqa: S311
        self.get(f"/territory/calls/?box={box}", name=f"/territory/calls/?box={box} ({self.fixtures_key})")

    @task(2)
    def call_page(self):
        if self.calls:
            pk = random.choice(self.calls)  # noqa: S311
            self.get(f"/territory/calls/{pk}/", name=f"/territory/calls/<pk>/ ({self.fixtures_key})")


class DepartmentStaff(_CallStaff):
    """A county department's responder: its queues 待受理 / 待办结 / 已超时 and its calls."""

    weight = 1
    fixtures_key, slots = "departments", _department_slots
    queues = ("to_accept", "to_close", "overdue")


class TownStaff(_CallStaff):
    """A town's clerk: the town's calls by state, those to rate, and their timelines."""

    weight = 1
    fixtures_key, slots = "towns_staff", _town_staff_slots
    queues = ("to_accept", "to_close", "to_evaluate", "overdue")
