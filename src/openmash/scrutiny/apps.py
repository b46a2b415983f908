from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "openmash.scrutiny"
    label = "scrutiny"
    verbose_name = "Scrutiny"
