from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "levier.contacts"
    label = "contacts"
