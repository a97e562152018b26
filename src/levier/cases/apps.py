from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "levier.cases"
    label = "cases"
