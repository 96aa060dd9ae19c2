from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fairytales.accounts"
    verbose_name = "Учётные записи"

    def ready(self):
        from . import addresses  # noqa: F401 - registers the TRUSTED_PROXIES check
