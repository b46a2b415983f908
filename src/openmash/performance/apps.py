from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "openmash.performance"
    label = "performance"
    verbose_name = "Performance"
