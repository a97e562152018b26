from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "levier.portal"
    label = "portal"
