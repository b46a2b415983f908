from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "openmash.access"
    label = "access"
    verbose_name = "Access and audit"

    def ready(self) -> None:
        from . import history

        history.register_models()
        history.seal_every_change()
