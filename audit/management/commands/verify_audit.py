from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        checked, broken, reason = verify_chain()
        if broken is not None:
            raise CommandError(
                _("审计记录第 %(id)s 条(%(at)s)校验失败:%(reason)s。此前 %(n)s 条完好。")
                % {"id": broken.pk, "at": broken.at.isoformat(), "reason": reason, "n": checked}
            )
        self.stdout.write(_("审计记录完好:共校验 %(n)s 条。") % {"n": checked})
