from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "levier.journal"
    label = "journal"

    def ready(self):
        from levier.journal import (
            checks,  # noqa: F401 - registers the deploy checks
            retention,  # noqa: F401 - registers the event details' purge
        )
        from levier.journal.admin_configure import journal_third_party_admins

        # The admin has discovered every admin module by now (it comes first in the apps).
        journal_third_party_admins()
