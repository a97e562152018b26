from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "levier.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from . import receivers  # models are ready only now

        receivers.connect()
