"""Make a videotale from the shell, in this process, with the same pipeline the site runs."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fairytales.pipeline import genres, languages, registry, stages
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.runner import Choice, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest
from fairytales.pipeline.video.contact_sheet import contact_sheet


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        stage, sep, name = value.partition("=")
        if not sep or stage not in registry.BACKENDS:
            raise CommandError(f"--{what} takes STAGE={what.upper()} with STAGE one of {', '.join(registry.BACKENDS)}")
        pairs[stage] = name
    return pairs


class Command(BaseCommand):
    help = "Make a videotale: make_tale \"Колобок\" --genre сказка --scenes 6 -o out.mp4"

    def add_arguments(self, parser):
        parser.add_argument("title")
        parser.add_argument("--genre", default=genres.DEFAULT.name, choices=genres.NAMES)
        parser.add_argument("--scenes", type=int, default=6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--language", default=languages.DEFAULT,
                            help=f"the tale's language: {', '.join(languages.CODES)}")
        parser.add_argument("--subtitles", default="", metavar="CODES",
                            help="further subtitle tracks, comma-separated (e.g. en,uk); written beside the film")
        parser.add_argument("-o", "--output", default="tale.mp4")
        parser.add_argument("--workdir", help="keep every stage's files here (default: a temporary folder)")
        parser.add_argument("--sheet", type=Path, help="also write a contact sheet here (a PNG, a frame per scene)")
        parser.add_argument("--backend", action="append", default=[], metavar="STAGE=NAME")
        parser.add_argument("--model", action="append", default=[], metavar="STAGE=PATH_OR_ID")
        parser.add_argument("--options", action="append", default=[], metavar="STAGE=JSON",
                            help='backend options, e.g. --options \'illustration={"seed": 5}\'')

    def handle(self, *args, title, genre, scenes, seed, output, workdir, sheet, backend, model, options,
               language=languages.DEFAULT, subtitles="", **_):
        title = " ".join(title.split())
        if not title or len(title) > 80:
            raise CommandError("the title must have 1 to 80 characters")
        if not 3 <= scenes <= 12:
            raise CommandError("--scenes must be between 3 and 12")
        try:
            language = languages.check(language.strip())
            subtitles = languages.extra(language, [code.strip() for code in subtitles.split(",") if code.strip()])
        except ValueError as exc:
            raise CommandError(f"--language/--subtitles: {exc}") from exc
        backends, models = _pairs(backend, "backend"), _pairs(model, "model")
        try:
            stage_options = {k: json.loads(v) for k, v in _pairs(options, "options").items()}
        except json.JSONDecodeError as exc:
            raise CommandError(f"--options: {exc}") from exc
        choices = {
            stage: Choice(backend=backends.get(stage), model=models.get(stage),
                          options=stage_options.get(stage, {}))
            for stage in registry.BACKENDS
        }
        request = TaleRequest(title=title, genre=genre, scenes=scenes, seed=seed, language=language,
                              subtitles=subtitles)
        folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="tale-"))
        bars: dict[str, tqdm] = {}

        def echo(stage, status, fraction, message):
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=100, desc=f"{stages.ORDER.index(stage) + 1}. {stage:<12}",
                                         position=len(bars), leave=True, bar_format="{desc} {bar} {n:3.0f}% {postfix}")
            bar.n = round(fraction * 100)
            bar.set_postfix_str(message[:60] if status != "failed" else f"ОШИБКА: {message}"[:80])

        try:
            video = Runner(request, DirectoryStore(folder, echo=echo), choices).run()
        except StageFailed as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(video.file("video"), output)
        poster = Path(output).with_suffix(".jpg")
        shutil.copyfile(video.file("poster"), poster)
        made = f"{output}: {video.meta['duration']:.1f} s; poster {poster}"
        tracks = []
        for code in video.meta.get("subtitles", []):  # kolobok.en.vtt beside kolobok.mp4
            track = Path(output).with_suffix(f".{code}.vtt")
            shutil.copyfile(video.file(f"vtt_{code}"), track)
            tracks.append(str(track))
        if tracks:
            made += f"; subtitles {', '.join(tracks)}"
        if sheet:
            store = DirectoryStore(folder)
            stills = [store.current("illustration", i + 1).file("picture")
                      for i in range(len(video.meta["scene_starts"]))]
            contact_sheet(Path(output), video.meta["scene_starts"], video.meta["duration"], sheet,
                          title=f"{title} ({genre})", stills=stills,
                          first_shot_ends=video.meta.get("first_shot_ends"))
            made += f"; contact sheet {sheet}"
        if not workdir:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(folder.with_name(f"{folder.name}.segments"), ignore_errors=True)  # the editor's cache
        self.stdout.write(self.style.SUCCESS(made))
