from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("账户与公共")

    def ready(self):
        from . import otp  # noqa: F401  (connects the second-factor login receiver)
        from .registry import autodiscover

        autodiscover()  # each app's ledger.py declares its ledger models
