from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "levier.journal"
    label = "journal"
