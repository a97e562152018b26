from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "levier.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from levier.cases import hooks
        from levier.journal.services import event_committed

        from . import signals
        from .retention import register_purgers

        hooks.status_email_overridden = signals.status_email_covered
        event_committed.connect(signals.send_status_email, dispatch_uid="documents-status-email")
        register_purgers()
