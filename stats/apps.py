from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = _("统计")

    def ready(self):
        from core.signals import record_changed, records_changed, saved_record_alerts, town_touched

        from .on_save import on_record_changed, on_records_changed, open_alert_messages
        from .tasks import on_town_touched

        town_touched.connect(on_town_touched, dispatch_uid="stats_town_touched")
        record_changed.connect(on_record_changed, dispatch_uid="stats_alerts_on_save")
        records_changed.connect(on_records_changed, dispatch_uid="stats_alerts_on_save_many")
        saved_record_alerts.connect(open_alert_messages, dispatch_uid="stats_saved_record_alerts")
