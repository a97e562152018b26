from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "levier.exchange"
    verbose_name = _("Exchanges with partners")

    def ready(self):
        from levier.exchange.retention import register_purgers

        register_purgers()
