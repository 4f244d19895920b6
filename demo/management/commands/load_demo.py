from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import DEMO_PASSWORD, load_demo
from stats.services import recompute_history


class Command(BaseCommand):
    help = "Load the demo ledger from the five source documents (idempotent), compute its statistics, print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="load even when DEBUG is off (demo passwords are public)"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates logins with a public password; it runs only with DEBUG on, or with --force."
            )
        logins = load_demo()
        # The demo rows are written directly, not through the services that queue recomputes: compute the
        # statistics now, or the dashboards and alerts would stay empty until the nightly run.
        run = recompute_history(triggered_by="demo")
        self.stdout.write(f"Statistics computed: {run.rows_written} rows.")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Logins (password: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.role:<14} {login.region}")
