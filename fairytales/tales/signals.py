"""What goes with a tale's row, and what the cluster runs on its own.

- A tale's folder of files is removed whenever its row is: one tale deleted, the admin's bulk delete, a
  user deleted with all their tales. It goes once the deletion is committed, so a rolled-back delete keeps it.
- Whenever who may see a tale can have changed (made private, hidden by a moderator, deleted), its open pages
  are told to check again (``TaleProgressConsumer.tale_access``): a watcher who may no longer see it is let
  go, rather than still receiving its pictures and film.
- The django-q2 schedule that takes over tales whose worker went silent is (re)made after every migrate, for
  the CPU cluster.
"""

from __future__ import annotations

import shutil

from django.apps import apps as global_apps
from django.conf import settings
from django.db import transaction
from django_q.models import Schedule

from . import broadcast

# The cluster's scheduler looks at its schedules about every 15 seconds, so a silent run is taken over
# within STALL_SECONDS and a minute or so.
RECOVERY_SCHEDULE = "Возобновить прерванные сказки"
RECOVERY_FUNC = "fairytales.tales.tasks.recover_interrupted"
RECOVERY_EVERY_MINUTES = 1


def remove_folder(sender, instance, using, **kwargs) -> None:
    folder = instance.folder
    segments = folder.with_name(f"{folder.name}.segments")  # the editor's cache of encoded pieces

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(segments, ignore_errors=True)

    transaction.on_commit(remove, using=using)


# the fields ``Tale.can_view`` reads: a save that names none of them changes no one's access
ACCESS_FIELDS = frozenset({"is_public", "is_hidden", "owner"})


def recheck_watchers(sender, instance, using, created=False, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not ACCESS_FIELDS & set(update_fields)):
        return
    group = instance.group_name
    transaction.on_commit(lambda: broadcast.recheck_access(group), using=using)


def ensure_recovery_schedule(sender, using, apps=global_apps, **kwargs) -> None:
    try:
        schedules = apps.get_model("django_q", "Schedule")  # as migrated (flush passes no apps)
    except LookupError:  # django_q is not migrated yet (a partial migrate)
        return
    schedules.objects.using(using).update_or_create(name=RECOVERY_SCHEDULE, defaults={
        "func": RECOVERY_FUNC, "args": None, "kwargs": None, "schedule_type": Schedule.MINUTES,
        "minutes": RECOVERY_EVERY_MINUTES, "repeats": -1, "cluster": recovery_cluster()})


def recovery_cluster() -> str | None:
    """The CPU cluster runs the schedule (it is always there); None: the default cluster, which django-q2
    gives the schedules without a cluster."""
    name = settings.CPU_CLUSTER
    return name if name and name != settings.Q_CLUSTER["name"] else None
