from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "levier.controls"
    label = "controls"
    verbose_name = _("Controls")

    # Documents are checked on submission by the automation "document-checks".
