from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "openmash.workforce"
    label = "workforce"
    verbose_name = "Workforce"
