from django.apps import AppConfig
from django.utils.translation import gettext_lazy
from django.db.models.signals import post_delete, post_migrate


class TalesConfig(AppConfig):
    name = "fairytales.tales"
    verbose_name = gettext_lazy("Сказки")

    def ready(self):
        from . import signals  # noqa: PLC0415
        from .models import Tale  # noqa: PLC0415

        post_delete.connect(signals.remove_folder, sender=Tale, dispatch_uid="tales.remove_folder")
        post_migrate.connect(signals.ensure_recovery_schedule, sender=self,
                             dispatch_uid="tales.recovery_schedule")
