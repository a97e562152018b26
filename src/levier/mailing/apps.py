from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "levier.mailing"
    verbose_name = _("Mail")

    def ready(self) -> None:
        from . import receivers  # models are ready only now
        from .retention import register_purgers

        receivers.connect()
        register_purgers()
