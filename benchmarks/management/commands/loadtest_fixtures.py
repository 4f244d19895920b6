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
from delegation.models import DelegatedPower
from reforms.models import ReformTask, Region, Town


class Command(BaseCommand):
    help = "Accounts, API tokens and object ids for the load test (benchmarks/loadtest/), as JSON; safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/loadtest.json")
        parser.add_argument("--counties", type=int, default=20, help="counties whose editors and platforms push")
        parser.add_argument("--reviewers", type=int, default=20, help="signed-in reviewer sessions")

    @transaction.atomic
    def handle(self, *args, out, counties, reviewers, **options):
        password = os.environ.get("LOADTEST_PASSWORD", "demo-pass-2026")
        province = Region.objects.filter(level="province").order_by("pk").first()
        reviewer = self._user("lt_reviewer", User.Role.REVIEWER, province, password)
        data = {"reviewers": [self._session(reviewer) for _ in range(reviewers)], "editors": [], "platforms": []}
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
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as f:
            json.dump(data, f)
        self.stdout.write(
            f"load-test fixtures: {len(data['editors'])} editors, {len(data['platforms'])} platforms → {out}"
        )

    def _user(self, username, role, region, password, service=False):
        user, _created = User.objects.get_or_create(
            username=username, defaults={"role": role, "region": region, "is_service_account": service}
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
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return {"cookie": settings.SESSION_COOKIE_NAME, "session": session.session_key}

    def _token(self, user):
        ApiToken.objects.filter(user=user, name="loadtest").delete()
        return token_create(user=user, name="loadtest")[1]
