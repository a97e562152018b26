from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "levier.cases"
    label = "cases"

    def ready(self):
        from levier.cases.retention import register_purgers

        register_purgers()
