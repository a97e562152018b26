from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "levier.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import receivers  # models are ready only now
        from .retention import register_purgers

        receivers.connect()
        register_purgers()
