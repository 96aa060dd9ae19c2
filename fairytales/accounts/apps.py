from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fairytales.accounts"
    verbose_name = "Учётные записи"
