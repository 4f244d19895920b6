from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo ledger and its ``load_demo`` command; apart from core, which knows no domain app."""

    name = "demo"
    verbose_name = _("演示数据")
