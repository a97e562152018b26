from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "levier.core"
    label = "core"

    def ready(self):
        from levier.core import checks  # noqa: F401 - registers the deploy checks
