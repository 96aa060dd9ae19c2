"""The default translator: no model. The storyteller tells the same plot in the other language (its
``parallel`` text, paragraph for paragraph), which is cut into the scenes by the stretches of the story each
scene holds (``scenes.regroup``). A scene its owner rewrote, or a story with no parallel text (a language
model's, an edited one), goes to the fallback translator when one is configured (marian), else stays without
that language's text."""

from __future__ import annotations

from ..backend import Option
from ..notes import Note
from ..scenes import regroup
from ..types import ProgressCallback, no_progress
from . import Job, Translations, Translator


class ParallelTranslator(Translator):
    name = "parallel"
    label = "Параллельный текст сказочника (без модели)"
    # the runner hands a fallback (marian) only when this is on and its weights are here
    declared_options = (Option("fallback", True, "Чего нет в параллельном тексте — переводить моделью, если она есть"),)

    def translate(self, job: Job, options: dict, progress: ProgressCallback = no_progress) -> Translations:
        out: Translations = {}
        for number, language in enumerate(job.targets):
            known = job.known.get(language, {})
            texts: list[str | None] = [known.get(scene.index) for scene in job.scenes]
            if any(text is None for text in texts):
                parallel = job.parallel(language)
                if parallel:
                    made = regroup(parallel, job.scenes, language)
                    texts = [text if text is not None else new for text, new in zip(texts, made)]
            missing = [i for i, text in enumerate(texts) if text is None]
            fallback = job.fallback
            if missing and fallback is not None and fallback.can(job.source, language):
                progress(number / len(job.targets), Note("Перевожу сцены моделью: {count}", count=len(missing)))
                made = fallback.translate_texts([job.scenes[i].text for i in missing], job.source, language)
                for i, text in zip(missing, made):
                    texts[i] = text
            out[language] = texts
            progress((number + 1) / len(job.targets), Note("Готов перевод: {language}", language=language))
        return out
