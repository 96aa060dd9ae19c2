from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    name = "fairytales.accounts"
    verbose_name = gettext_lazy("Учётные записи")

    def ready(self):
        from . import addresses  # noqa: F401 - registers the TRUSTED_PROXIES check
