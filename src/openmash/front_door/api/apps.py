from django.apps import AppConfig


class PartnerApiConfig(AppConfig):
    name = "openmash.front_door.api"
    label = "partner_api"
    verbose_name = "Partner API"
