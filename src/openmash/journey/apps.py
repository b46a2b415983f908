from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "openmash.journey"
    label = "journey"
    verbose_name = "Children's journeys"
