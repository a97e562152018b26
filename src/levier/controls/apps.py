from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "levier.controls"
    label = "controls"
    verbose_name = _("Controls")

    def ready(self) -> None:
        from levier.journal.services import event_committed

        from . import services

        event_committed.connect(services.on_journal_event, dispatch_uid="controls-check-case")
