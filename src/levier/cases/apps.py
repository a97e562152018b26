from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "levier.cases"
    label = "cases"

    def ready(self) -> None:
        from . import receivers  # models are ready only now
        from .retention import register_purgers

        receivers.connect()
        register_purgers()
