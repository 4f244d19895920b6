import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reforms.models import Town
from stats import services


def month(value):
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"not a month (YYYY-MM): {value}") from None


class Command(BaseCommand):
    help = (
        "Recompute the statistics and alerts (all towns, or one town and its roll-ups); "
        "with --from/--to, backfill the figures of those months."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", help="12-digit code of the town to recompute")
        parser.add_argument("--from", dest="first", type=month, help="first month to backfill, YYYY-MM")
        parser.add_argument(
            "--to", dest="last", type=month, help="last month to backfill, YYYY-MM (default: this month)"
        )

    def handle(self, *args, town=None, first=None, last=None, **options):
        if town:
            town_id = Town.objects.filter(code=town).values_list("pk", flat=True).first()
            if town_id is None:
                raise CommandError(f"--town: no town has the code {town}")
            run = services.recompute_town(town_id, triggered_by="command")
        elif first or last:
            if first and last and first > last:
                raise CommandError("--from is after --to")
            run = services.recompute_history(first, last, triggered_by="command")
        else:
            run = services.recompute_all(triggered_by="command")
        self.stdout.write(f"{run.scope}: {run.rows_written} rows in {run.duration.total_seconds():.2f} s")
