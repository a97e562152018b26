from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "levier.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from .exports.services import register_purgers

        register_purgers()
