from django.apps import AppConfig
from django.utils.translation import gettext_lazy
from django.db.models.signals import post_delete, post_migrate, post_save


class TalesConfig(AppConfig):
    name = "fairytales.tales"
    verbose_name = gettext_lazy("Сказки")

    def ready(self):
        from . import signals  # noqa: PLC0415
        from .models import Tale  # noqa: PLC0415

        post_delete.connect(signals.remove_folder, sender=Tale, dispatch_uid="tales.remove_folder")
        post_delete.connect(signals.recheck_watchers, sender=Tale, dispatch_uid="tales.recheck_watchers_gone")
        post_save.connect(signals.recheck_watchers, sender=Tale, dispatch_uid="tales.recheck_watchers")
        post_migrate.connect(signals.ensure_recovery_schedule, sender=self,
                             dispatch_uid="tales.recovery_schedule")
