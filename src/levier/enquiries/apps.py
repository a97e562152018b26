from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "levier.enquiries"
    label = "enquiries"

    def ready(self) -> None:
        from . import receivers  # models are ready only now
        from .retention import register_purgers

        receivers.connect()
        register_purgers()
