"""Download the neural backends' weights where there is internet (none can be fetched on our CI).

Hub models go to the Hugging Face cache (where the backends find them by id); files from URLs go to
the path each backend reads by default (or its MODEL_<STAGE>_<NAME> variable). The Music
Transformer has no released weights: train it with `manage.py train_music`.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fairytales.pipeline import registry
from fairytales.pipeline.backend import first_line

# (stage, backend) -> what to fetch: ("hub", repo id, subfolder of the model folder, or None for the
# cache) or ("url", address, file in the model folder, or None for the model file itself, how to unpack)
SOURCES: dict[tuple[str, str], list[tuple]] = {
    ("story", "rugpt3"): [("hub", "ai-forever/rugpt3small_based_on_gpt2", None)],
    ("story", "mgpt"): [("hub", "ai-forever/mGPT", None)],
    ("translation", "marian"): [("hub", f"Helsinki-NLP/opus-mt-{pair}", None)
                                for pair in ("ru-en", "en-ru", "ru-uk", "uk-ru", "en-uk", "uk-en")],
    ("proofread", "jamspell"): [("url", "https://github.com/bakwc/JamSpell-models/raw/master/ru.tar.gz",
                                 None, "tar")],
    ("narration", "silero"): [("url", "https://models.silero.ai/models/tts/ru/v4_ru.pt", None, None)],
    ("illustration", "diffusers"): [("hub", "kandinsky-community/kandinsky-2-1", None)],
    ("music", "musicgen"): [("hub", "facebook/musicgen-small", None)],
    ("illustration", "vqgan_clip"): [
        ("url", "https://heibox.uni-heidelberg.de/f/867b05fc8c4841768640/?dl=1", "vqgan.ckpt", None),
        ("url", "https://heibox.uni-heidelberg.de/f/274fb24ed38341bfa753/?dl=1", "vqgan.yaml", None),
        ("hub", "M-CLIP/XLM-Roberta-Large-Vit-B-32", "mclip"),
        ("hub", "openai/clip-vit-base-patch32", "clip"),
    ],
}


class Command(BaseCommand):
    help = "Download the configured models (where there is internet)."

    def add_arguments(self, parser):
        parser.add_argument("--stage", choices=sorted({stage for stage, _ in SOURCES}))
        parser.add_argument("--dry-run", action="store_true", help="say what would be fetched, fetch nothing")

    def handle(self, *args, stage, dry_run, **options):
        if stage in (None, "music"):
            self.stdout.write("music/music_transformer: no released weights; train it: python manage.py train_music")
        failures = 0
        for (source_stage, name), items in SOURCES.items():
            if stage and source_stage != stage:
                continue
            cls = registry.backend_class(source_stage, name)
            model = registry.configured_model(cls)
            for kind, source, target, *rest in items:
                destination = _destination(model, target, kind)
                self.stdout.write(f"{source_stage}/{name}: {source} -> {destination or 'the Hugging Face cache'}")
                if dry_run:
                    continue
                try:
                    _fetch(kind, source, destination, rest[0] if rest else None)
                except Exception as exc:  # noqa: BLE001 - say which one failed, go on with the rest
                    failures += 1
                    self.stderr.write(f"  failed: {first_line(exc)}")
        if failures:
            raise CommandError(f"{failures} download(s) failed; see above")


def _destination(model: str, target: str | None, kind: str) -> Path | None:
    if target is None:
        return None if kind == "hub" else Path(model)  # a hub id lives in the cache; a file is the model
    return Path(model) / target


def _fetch(kind: str, source: str, destination: Path | None, unpack: str | None) -> None:
    if kind == "hub":
        from huggingface_hub import snapshot_download  # noqa: PLC0415

        snapshot_download(source, local_dir=str(destination) if destination else None)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        download = Path(tmp) / "download"
        with urllib.request.urlopen(source, timeout=30) as response, open(download, "wb") as out:
            shutil.copyfileobj(response, out)
        if unpack == "tar":
            with tarfile.open(download) as archive:
                member = next(m for m in archive.getmembers() if m.name.endswith(".bin"))
                archive.extract(member, tmp, filter="data")
                shutil.move(Path(tmp) / member.name, destination)
        else:
            shutil.move(download, destination)
