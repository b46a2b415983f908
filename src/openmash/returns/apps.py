from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "openmash.returns"
    label = "returns"
    verbose_name = "Statutory returns"
