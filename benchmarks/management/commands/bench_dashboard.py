import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import User
from reforms.models import Region


class Command(BaseCommand):
    help = "Time the dashboard overview of the largest province (and one of its cities) over repeated requests."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--region", help="6-digit code of the region (default: the province with most towns)")

    def handle(self, *args, requests, region, **options):
        target = self._region(region)
        # The reviewer exists only inside this transaction, which is rolled back: the data stays as it was.
        with transaction.atomic():
            reviewer = User.objects.create_user("bench-dashboard-reviewer", role="reviewer", region=target)
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
            client.force_login(reviewer)
            city = target.children.order_by("code").first()
            for label, url in (
                (target.name, f"/dashboard/region/{target.code}/"),
                (city and city.name, city and f"/dashboard/region/{city.code}/"),
            ):
                if url:
                    self._time(client, label, url, requests)
            transaction.set_rollback(True)

    def _region(self, code):
        if code:
            found = Region.objects.filter(code=code).first()
        else:
            found = max(Region.objects.filter(level="province"), key=lambda p: p.children.count(), default=None)
        if found is None:
            raise CommandError("no such region: generate data first (manage.py generate_data --scale province)")
        return found

    def _time(self, client, label, url, requests):
        client.get(url)  # warm-up: templates, connections
        timings = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        self.stdout.write(
            f"{label} {url}: {requests} requests, median {statistics.median(timings):.1f} ms, "
            f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms, {len(ctx.captured_queries)} queries, "
            f"{len(response.content) // 1024} KiB"
        )
