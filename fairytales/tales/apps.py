from django.apps import AppConfig


class TalesConfig(AppConfig):
    name = "fairytales.tales"
    verbose_name = "Сказки"
