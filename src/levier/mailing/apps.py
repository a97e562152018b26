from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "levier.mailing"
    verbose_name = _("Mail")

    def ready(self):
        from levier.mailing.retention import register_purgers

        register_purgers()
