from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "openmash.front_door"
    label = "front_door"
    verbose_name = "Front door (MASH)"
