from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = _("统计")

    def ready(self):
        from core.signals import town_touched

        from .tasks import on_town_touched

        town_touched.connect(on_town_touched, dispatch_uid="stats_town_touched")
