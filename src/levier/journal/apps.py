from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "levier.journal"
    label = "journal"

    def ready(self):
        from levier.journal import checks  # noqa: F401 - registers the deploy checks
