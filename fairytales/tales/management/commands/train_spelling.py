"""Train the JamSpell proofreader's language model from plain Russian text (a thin wrapper around
``fairytales.pipeline.proofread.jamspell.training.train``)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Train the JamSpell spelling model: "
        "train_spelling ../shared/data/ru_literature.txt.xz [-o PATH] [--max-mb 20] [--pack]"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "corpus", type=Path, help="plain UTF-8 Russian text; .xz, .gz and .bz2 are read too"
        )
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="the model (default: models/jamspell/ru_small.bin); "
            "its candidate cache PATH.spell is written beside it",
        )
        parser.add_argument(
            "--max-mb",
            type=float,
            default=20.0,
            help="use at most this many MB of the text, spread over all of it (0: all; default 20: "
            "~10 s, ~0.5 GB of memory, a 40 MB model)",
        )

        parser.add_argument(
            "--pack", action="store_true",
            help="also write PATH.xz, the packed form the project ships (the backend unpacks it into var/)",
        )

    def handle(self, *args, corpus: Path, output: Path | None, max_mb: float, pack: bool, **_):
        from fairytales.pipeline.backend import BackendUnavailable  # noqa: PLC0415
        from fairytales.pipeline.proofread.jamspell import model_files, training  # noqa: PLC0415

        out = output or model_files.DEFAULT_MODEL
        started = time.monotonic()
        try:
            model = training.train(corpus, out, max_mb=max_mb or None)
        except (FileNotFoundError, ValueError, BackendUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        size = (model.stat().st_size + Path(f"{model}.spell").stat().st_size) / 1e6
        self.stdout.write(
            self.style.SUCCESS(
                f"{model} ({size:.0f} MB with its .spell cache) in {time.monotonic() - started:.0f} s"
            )
        )
        if pack:
            packed = model_files.pack(model)
            self.stdout.write(self.style.SUCCESS(f"{packed} ({packed.stat().st_size / 1e6:.1f} MB)"))
