import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import purge_before, retention_days


class Command(BaseCommand):
    help = "Delete audit entries older than the retention period (never fewer than 183 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="delete entries older than this many days")

    def handle(self, *args, days=None, **options):
        days = retention_days() if days is None else days
        try:
            deleted = purge_before(timezone.now() - dt.timedelta(days=days))
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(_("已删除 %(n)s 条超过保留期的审计记录。") % {"n": deleted})
