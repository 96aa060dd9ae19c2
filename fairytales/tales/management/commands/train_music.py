"""Train the Music Transformer composer's checkpoint from the shell (a thin wrapper around
``fairytales.pipeline.music.transformer.train``).

A participant's own model: ``train_music --midi-dir my_midi/ --name my-music --heldout 0.1 --steps 3000``
saves models/music_transformer/my-music/model.pt (with its training card), which a tale can pick;
``--resume`` goes on from where an interrupted or finished run stopped, up to ``--steps``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Train the Music Transformer: train_music (--midi-dir DIR | --music21 [--limit N] | --procedural N) "
        "--steps N (-o PATH | --name NAME) [--heldout 0.1] [--resume]"
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
            help="the checkpoint (default: models/music_transformer/model.pt, or NAME/model.pt there)",
        )
        parser.add_argument("--name", help="a participant's model: models/music_transformer/NAME/model.pt")
        parser.add_argument("--heldout", type=float, default=0.0,
                            help="the share of pieces held out, their loss reported (e.g. 0.1)")
        parser.add_argument("--eval-every", type=int, default=200, help="steps between held-out evaluations")
        parser.add_argument("--save-every", type=int, default=500,
                            help="steps between saves of the checkpoint and its resume file (0: only at the end, "
                                 "not resumable)")
        parser.add_argument("--resume", action="store_true",
                            help="go on from the checkpoint's resume file up to --steps (same data and sizes)")

    def handle(self, *args, **o):
        from fairytales.pipeline.music import models as music_models  # noqa: PLC0415
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
        if o["name"] and o["output"]:
            raise CommandError("--name or --output, not both")
        output = o["output"] or (music_models.MUSIC_MODELS_DIR / o["name"] / "model.pt" if o["name"]
                                 else Path(MusicTransformerComposer.default_model))
        report: dict = {}
        try:
            losses = t.train(
                data, config, steps=o["steps"], batch=o["batch"], lr=o["lr"], out_checkpoint=output, log=say,
                device=o["device"], seed=o["seed"], heldout=o["heldout"], eval_every=o["eval_every"],
                save_every=o["save_every"], resume=o["resume"], report=report,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not losses:
            raise CommandError(f"{output}: already trained for {o['steps']} steps (ask for more --steps)")
        tail = losses[-min(50, len(losses)) :]
        mean = sum(tail) / len(tail)
        held = report.get("heldout") or []
        heldout = f", held-out loss {held[0][1]:.3f} -> {held[-1][1]:.3f}" if held else ""
        self.stdout.write(self.style.SUCCESS(f"{output}: loss {mean:.3f} after {len(losses)} steps{heldout}"))
