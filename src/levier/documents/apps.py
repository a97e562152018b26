from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "levier.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from levier.cases import hooks

        from . import signals
        from .retention import register_purgers

        hooks.status_email_overridden = signals.status_email_covered
        # The status email itself is sent by the automation "status-emails".
        register_purgers()
