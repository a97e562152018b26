from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "levier.enquiries"
    label = "enquiries"
