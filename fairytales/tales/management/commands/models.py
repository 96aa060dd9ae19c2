"""List every backend: its weights, whether they are here, the device it would run on here, and what it
needs (``device_need``: the cluster a tale using it is routed to, GPU_CLUSTER or CPU_CLUSTER)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fairytales.pipeline import registry
from fairytales.pipeline.backend import default_device


class Command(BaseCommand):
    help = "List every backend, its weights, whether it can run here, and the device."

    def handle(self, *args, **options):
        device = default_device()
        for stage, names in registry.BACKENDS.items():
            for name in names:
                try:
                    cls = registry.backend_class(stage, name)
                except ImportError as exc:
                    self.stdout.write(f"{stage:<13}{name:<18}{'—':<8}cannot import: {exc}")
                    continue
                backend = cls(model=registry.configured_model(cls), device=device)
                ok, why = backend.available()
                state = self.style.SUCCESS("ready") if ok else self.style.WARNING("missing")
                where = backend.model or "(no download)"
                self.stdout.write(f"{stage:<13}{name:<18}{state:<8} {where}  [{device if backend.model else 'cpu'}]"
                                  f"  needs {cls.device_need}")
                if not ok:
                    self.stdout.write(f"{'':<31}{why}")
        from fairytales.pipeline.video.encoder import choose

        encoder = choose()
        self.stdout.write(f"{'video':<13}{'encoder':<18}{encoder.name:<8} {encoder.why}")
