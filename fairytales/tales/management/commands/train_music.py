"""Train the Music Transformer composer's checkpoint from the shell (a thin wrapper around
``fairytales.pipeline.music.transformer.train``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Train the Music Transformer: train_music (--midi-dir DIR | --music21 [--limit N] | --procedural N) "
        "--steps N -o PATH"
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--midi-dir", help="a folder of .mid/.midi files (searched recursively)")
        source.add_argument("--music21", action="store_true", help="music21's bundled scores (offline)")
        source.add_argument(
            "--procedural", type=int, metavar="N",
            help="N pieces per mood from the offline composer, with mood control tokens",
        )
        parser.add_argument("--limit", type=int, help="at most this many music21 scores")
        parser.add_argument(
            "--composers", help="only these music21 collections, comma-separated (essenFolksong,bach,...)"
        )
        parser.add_argument("--steps", type=int, default=2000)
        parser.add_argument("--batch", type=int, default=16)
        parser.add_argument("--lr", type=float, default=3e-4)
        parser.add_argument("--layers", type=int, default=6)
        parser.add_argument("--heads", type=int, default=8)
        parser.add_argument("--d-model", type=int, default=256)
        parser.add_argument("--max-len", type=int, default=512)
        parser.add_argument("--dropout", type=float, default=0.1)
        parser.add_argument("--device", help="cuda or cpu (default: cuda when there is one)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "-o", "--output", type=Path,
            help="the checkpoint (default: models/music_transformer/model.pt)",
        )

    def handle(self, *args, **o):
        from fairytales.pipeline.music.neural import MusicTransformerComposer  # noqa: PLC0415 - needs torch
        from fairytales.pipeline.music.transformer import train as t  # noqa: PLC0415

        say = self.stdout.write
        if o["limit"] is not None and not o["music21"]:
            raise CommandError("--limit goes with --music21")
        try:
            if o["midi_dir"]:
                data = t.midi_folder(o["midi_dir"])
            elif o["music21"]:
                say("Reading music21's corpus...")
                composers = [c.strip() for c in (o["composers"] or "").split(",") if c.strip()]
                data = t.music21_corpus(limit=o["limit"], composers=composers, seed=o["seed"], log=say)
            else:
                data = t.procedural_corpus(per_mood=o["procedural"], seed=o["seed"])
        except (FileNotFoundError, ValueError, ImportError) as exc:
            raise CommandError(str(exc)) from exc
        if not data:
            raise CommandError("no pieces to train on")
        config = t.ModelConfig(
            n_layer=o["layers"], n_head=o["heads"], d_model=o["d_model"], max_len=o["max_len"],
            dropout=o["dropout"],
        )
        output = o["output"] or Path(MusicTransformerComposer.default_model)
        try:
            losses = t.train(
                data, config, steps=o["steps"], batch=o["batch"], lr=o["lr"], out_checkpoint=output, log=say,
                device=o["device"], seed=o["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        tail = losses[-min(50, len(losses)) :]
        mean = sum(tail) / len(tail)
        self.stdout.write(self.style.SUCCESS(f"{output}: loss {mean:.3f} after {len(losses)} steps"))
