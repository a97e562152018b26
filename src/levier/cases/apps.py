from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "levier.cases"
    label = "cases"

    def ready(self) -> None:
        from . import receivers  # models are ready only now

        receivers.connect()
