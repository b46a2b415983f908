from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openmash.accounts"
    label = "accounts"
    verbose_name = "Accounts"
