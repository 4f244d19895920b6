from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("账户与公共")

    def ready(self):
        from . import otp, sessions  # noqa: F401  (connect their login receivers)
        from .registry import autodiscover

        autodiscover()  # each app's ledger.py declares its ledger models
