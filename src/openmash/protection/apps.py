from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "openmash.protection"
    label = "protection"
    verbose_name = "Child protection"
