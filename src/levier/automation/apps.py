from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "levier.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from levier.journal.services import event_committed

        from . import receivers, schedule

        event_committed.connect(receivers.on_event_committed, dispatch_uid="automation-enqueue")
        # Each app registers its own steps from its `schedule.py` (registration from
        # above: no app imports automation).
        schedule.discover()
