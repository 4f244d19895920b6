"""Mixed load: county edits (API PATCH with If-Match), reviewer pages, platform case-count pushes.

Fixtures (accounts, tokens, ids) come from ``manage.py loadtest_fixtures``; see ``benchmarks/loadtest/run.sh``.
Each simulated editor or platform takes its own county's token, so no two users edit the same row.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

FIXTURES = json.load(open(os.environ.get("LOADTEST_FIXTURES", "var/loadtest.json")))  # noqa: SIM115
_editor_slots = itertools.count()
_platform_slots = itertools.count()
_reviewer_slots = itertools.count()
MONTH = os.environ.get("LOADTEST_MONTH", "2026-10")


class CountyEditor(HttpUser):
    """Reads a reform task, then PATCHes it with the version read (If-Match)."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        mine = FIXTURES["editors"][next(_editor_slots) % len(FIXTURES["editors"])]
        self.client.headers["Authorization"] = f"Bearer {mine['token']}"
        self.tasks_ids = mine["tasks"]

    @task
    def edit_task(self):
        pk = random.choice(self.tasks_ids)  # noqa: S311 (load mix, not secrets)
        read = self.client.get(f"/api/v1/tasks/{pk}/", name="/api/v1/tasks/<pk>/ GET")
        if read.status_code != 200:
            return
        note = f"协办单位{random.randrange(1000)}"  # noqa: S311
        self.client.patch(
            f"/api/v1/tasks/{pk}/",
            json={"cooperating_units": note},
            headers={"If-Match": read.headers["ETag"]},
            name="/api/v1/tasks/<pk>/ PATCH",
        )


class Reviewer(HttpUser):
    """Signed in, reads town pages, the overview page of the province and the open alerts."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        # A session signed in beforehand (loadtest_fixtures): one PBKDF2 login per simulated reviewer
        # at ramp-up would measure password hashing, not the pages.
        mine = FIXTURES["reviewers"][next(_reviewer_slots) % len(FIXTURES["reviewers"])]
        self.client.cookies.set(mine["cookie"], mine["session"])

    @task(3)
    def town_page(self):
        pk = random.choice(FIXTURES["towns"])  # noqa: S311
        self.client.get(f"/towns/town/{pk}/", name="/towns/town/<pk>/")

    @task(2)
    def overview(self):
        self.client.get(FIXTURES["dashboard"], name="overview page")

    @task(1)
    def alerts(self):
        self.client.get("/api/v1/stats/alerts/?is_open=true", name="/api/v1/stats/alerts/")


class Platform(HttpUser):
    """A provincial platform pushing one month's case counts for 20 powers of its county."""

    weight = 1
    wait_time = between(1, 2)

    def on_start(self):
        mine = FIXTURES["platforms"][next(_platform_slots) % len(FIXTURES["platforms"])]
        self.client.headers["Authorization"] = f"Bearer {mine['token']}"
        self.powers = mine["powers"]

    @task
    def push(self):
        rows = [
            {"power": pk, "month": MONTH, "handled_by": "town", "accepted": n, "closed": n}
            for pk, n in zip(random.sample(self.powers, 20), itertools.repeat(random.randrange(1, 30)))  # noqa: S311
        ]
        self.client.post("/api/v1/case-counts/bulk/", json={"items": rows}, name="/api/v1/case-counts/bulk/")
