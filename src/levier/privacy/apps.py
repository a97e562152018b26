from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "levier.privacy"
    label = "privacy"
