"""Redo one stage of a tale from the shell: the same queue as the page, so it never interleaves
with a run in progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fairytales.pipeline import languages, stages
from fairytales.pipeline.runner import Redo
from fairytales.pipeline.video import FORMATS, joins
from fairytales.tales import tasks
from fairytales.tales.models import Tale


class Command(BaseCommand):
    help = "Redo a stage: redo TALE illustration --scene 3 --prompt 'Волк в лесу' --seed 7"

    def add_arguments(self, parser):
        parser.add_argument("tale", help="the tale's id (as in its address)")
        parser.add_argument("stage", choices=stages.REDOABLE)
        parser.add_argument("--scene", type=int)
        parser.add_argument("--prompt", help="what to draw (illustration)")
        parser.add_argument("--shot", type=int, help="one shot of the scene's pictures (illustration, with --scene)")
        parser.add_argument("--text", help="the new text of the scene (scenes) or of the whole story (story)")
        parser.add_argument("--seed", type=int)
        parser.add_argument("--voice", help="narrator voice (narration)")
        parser.add_argument("--mood", help="music mood (music)")
        parser.add_argument("--format", choices=tuple(FORMATS), help="the film's format (video)")
        parser.add_argument("--join", choices=joins.JOINS,
                            help="how scenes give way to each other (video); with --scene N, the cut into scene N only")
        parser.add_argument("--burn", choices=(*languages.CODES, "none"),
                            help="the language whose subtitles are burned into the film, or none (video)")
        parser.add_argument("--character", help="the character of the sheet to edit (cast): hero, helper, …; "
                                                "--text gives their new description")
        parser.add_argument("--backend", help="another backend for this stage")
        parser.add_argument("--queue", action="store_true", help="leave it to the worker instead of running here")

    def handle(self, *args, tale, stage, scene, prompt, text, seed, voice, mood, backend, queue, format=None,
               join=None, burn=None, shot=None, **_):
        found = Tale.objects.filter(pk=tale).first() if _is_uuid(tale) else None
        if found is None:
            raise CommandError(f"no tale {tale}")
        cut = stage == "video" and join  # --scene names the cut into that scene
        if scene is not None and stage not in stages.SCENE_REDO and not cut:
            raise CommandError(f"{stage} is redone for the whole tale: leave out --scene")
        if scene is not None and not 1 <= scene <= found.scene_count:
            raise CommandError(f"the tale has scenes 1 to {found.scene_count}")
        if stage == "scenes" and (scene is None or not text):
            raise CommandError("redo TALE scenes needs --scene N and --text")
        options = {k: v for k, v in {"seed": seed, "mood": mood}.items() if v is not None}
        if voice:
            options[found.narrator().voice_option] = voice
        if _.get("character") and stage == "cast":
            options["character"] = _["character"]
        if format and stage == "video":
            options["format"] = format
        if burn and stage != "video":
            raise CommandError("--burn is for the video: redo TALE video --burn CODE")
        if burn:
            options["burn"] = burn
        if cut:
            options.update({"joins": f"{scene}={join}"} if scene is not None else {"join": join})
            scene = None
        if shot is not None and (stage != "illustration" or scene is None):
            raise CommandError("--shot is one picture of a scene: redo TALE illustration --scene N --shot K")
        redo = Redo(stage=stage, scene=scene, options=options, backend=backend, text=text, prompt=prompt, shot=shot)
        if not tasks.start(found, [redo], enqueue=queue):
            self.stdout.write("The tale is being made: this redo runs right after.")
            return
        if queue:
            self.stdout.write("Queued for the worker.")
            return
        status = tasks.make_tale(str(found.pk))
        found.refresh_from_db()
        if status != Tale.Status.DONE:
            raise CommandError(f"{status}: {found.error}")
        self.stdout.write(self.style.SUCCESS(f"done: {found.video.path('video')} ({found.duration:.1f} s)"))


def _is_uuid(value: str) -> bool:
    import uuid  # noqa: PLC0415

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
