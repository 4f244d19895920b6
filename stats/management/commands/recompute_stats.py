from django.core.management.base import BaseCommand, CommandError

from reforms.models import Town
from stats import services


class Command(BaseCommand):
    help = "Recompute the statistics and alerts (all towns, or one town and its roll-ups)."

    def add_arguments(self, parser):
        parser.add_argument("--town", help="12-digit code of the town to recompute")

    def handle(self, *args, town=None, **options):
        if town:
            town_id = Town.objects.filter(code=town).values_list("pk", flat=True).first()
            if town_id is None:
                raise CommandError(f"--town: no town has the code {town}")
            run = services.recompute_town(town_id, triggered_by="command")
        else:
            run = services.recompute_all(triggered_by="command")
        self.stdout.write(f"{run.scope}: {run.rows_written} rows in {run.duration.total_seconds():.2f} s")
