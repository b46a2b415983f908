from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openmash.people"
    label = "people"
    verbose_name = "People"
