from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "levier.enquiries"
    label = "enquiries"

    def ready(self):
        from levier.enquiries.retention import register_purgers

        register_purgers()
