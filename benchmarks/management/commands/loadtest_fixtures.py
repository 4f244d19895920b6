import json
import os

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand
from django.db import transaction

from benchmarks.bench_pages import dashboard_url
from core.models import ApiToken, User
from core.tokens import token_create
from delegation.models import DelegatedPower, Department
from reforms.models import ReformTask, Region, Town
from territory.models import Call


class Command(BaseCommand):
    help = "Accounts, API tokens and object ids for the load test (benchmarks/loadtest/), as JSON; safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/loadtest.json")
        parser.add_argument("--counties", type=int, default=20, help="counties whose editors and platforms push")
        parser.add_argument("--reviewers", type=int, default=20, help="signed-in reviewer sessions")
        parser.add_argument(
            "--staff-per-county", type=int, default=3, help="signed-in department and town staff per county"
        )

    @transaction.atomic
    def handle(self, *args, out, counties, reviewers, staff_per_county, **options):
        password = os.environ.get("LOADTEST_PASSWORD", "demo-pass-2026")
        province = Region.objects.filter(level="province").order_by("pk").first()
        reviewer = self._user("lt_reviewer", User.Role.REVIEWER, province, password)
        data = {"reviewers": [self._session(reviewer) for _ in range(reviewers)], "editors": [], "platforms": []}
        data |= {"departments": [], "towns_staff": []}
        data["towns"] = list(Town.objects.filter(county__parent__parent=province).values_list("pk", flat=True)[:500])
        data["dashboard"] = dashboard_url(reviewer)
        for county in Region.objects.filter(level="county", parent__parent=province).order_by("pk")[:counties]:
            editor = self._user(f"lt_editor_{county.code}", User.Role.COUNTY_EDITOR, county, password, service=True)
            tasks = ReformTask.objects.filter(plan__town__county=county).values_list("pk", flat=True)[:200]
            data["editors"].append({"token": self._token(editor), "tasks": list(tasks)})
            platform = self._user(f"lt_platform_{county.code}", User.Role.COUNTY_EDITOR, county, password, service=True)
            powers = DelegatedPower.objects.filter(town__county=county, take_over_status="taken_over")
            data["platforms"].append(
                {"token": self._token(platform), "powers": list(powers.values_list("pk", flat=True)[:300])}
            )
            self._call_staff(data, county, password, staff_per_county)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as f:
            json.dump(data, f)
        self.stdout.write(
            f"load-test fixtures: {len(data['editors'])} editors, {len(data['platforms'])} platforms, "
            f"{len(data['departments'])} department and {len(data['towns_staff'])} town staff → {out}"
        )

    def _call_staff(self, data, county, password, count):
        """Signed-in department staff (the departments with the most calls) and town staff of ``county``,
        each with calls of theirs to open (call-and-respond)."""
        from django.db.models import Count

        departments = Department.objects.filter(county=county).annotate(n=Count("calls")).order_by("-n", "pk")
        for department in departments[:count]:
            user = self._user(
                f"lt_dept_{department.pk}", User.Role.DEPARTMENT_STAFF, county, password, department=department
            )
            calls = Call.objects.filter(department=department).order_by("-raised_at")
            data["departments"].append({**self._session(user), "calls": list(calls.values_list("pk", flat=True)[:50])})
        for town in Town.objects.filter(county=county).order_by("pk")[:count]:
            user = self._user(f"lt_town_{town.pk}", User.Role.TOWN_STAFF, county, password, town=town)
            calls = Call.objects.filter(town=town).order_by("-raised_at")
            data["towns_staff"].append({**self._session(user), "calls": list(calls.values_list("pk", flat=True)[:50])})

    def _user(self, username, role, region, password, service=False, **scope):
        user, _created = User.objects.get_or_create(
            username=username, defaults={"role": role, "region": region, "is_service_account": service, **scope}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    def _session(self, user):
        """A signed-in session, as the login form would create (the load is pages, not password hashing)."""
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend that authenticates passwords, as login() records it; the first one listed is
        # axes' lockout check, which cannot load a user.
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return {"cookie": settings.SESSION_COOKIE_NAME, "session": session.session_key}

    def _token(self, user):
        ApiToken.objects.filter(user=user, name="loadtest").delete()
        return token_create(user=user, name="loadtest")[1]
