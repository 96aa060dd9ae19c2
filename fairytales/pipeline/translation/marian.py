"""MarianMT through transformers: one model per language pair (``Helsinki-NLP/opus-mt-ru-en`` …).

The weights setting (MODEL_TRANSLATION_MARIAN) is a pattern with ``{src}`` and ``{tgt}`` — a hub id or a
folder —, or a folder that holds one model (used for every pair) or one sub-folder per pair (``ru-en/``).
A scene is translated sentence by sentence, all of a tale's sentences in batches, and put back in its
paragraphs and lines. Each pair's model loads once per process, on first use; ``cuda`` when there is one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..backend import (
    BackendUnavailable,
    Option,
    first_line,
    hub_offline,
    is_local_path,
    torch_dtype,
    weights_present,
)
from ..notes import Note
from ..scenes import sentence_pieces, story_paragraphs
from ..types import ProgressCallback, no_progress
from . import Job, Translations, Translator

INSTALL_HINT = "pip install -r requirements/neural.txt"


class MarianTranslator(Translator):
    name = "marian"
    label = "MarianMT (transformers)"
    default_model = "Helsinki-NLP/opus-mt-{src}-{tgt}"
    requires = ("torch", "transformers", "sentencepiece")
    weights_marker = "config.json"
    declared_options = (
        Option("batch_size", 16, "Предложений за раз", min=1, max=256),
        Option("num_beams", 4, "Лучей поиска", min=1, max=16),
        Option("max_length", 256, "Токенов в предложении, не больше", min=8, max=1024),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model, device)
        self._pairs: dict[tuple[str, str], tuple[object, object]] = {}

    # -- weights ---------------------------------------------------------------------------------

    def pair_model(self, source: str, target: str) -> str:
        """The weights of one pair: the pattern filled in, or a folder's own model or its ``src-tgt`` one."""
        model = (self.model or self.default_model).replace("{src}", source).replace("{tgt}", target)
        if is_local_path(model):
            folder = Path(model).expanduser()
            if not (folder / "config.json").is_file() and (folder / f"{source}-{target}" / "config.json").is_file():
                return str(folder / f"{source}-{target}")
        return model

    def can(self, source: str, target: str) -> bool:
        if not super().can(source, target) or any(importlib.util.find_spec(m) is None for m in self.requires):
            return False
        model = self.pair_model(source, target)
        if is_local_path(model):
            return (Path(model).expanduser() / "config.json").is_file()
        return weights_present(model)

    def available(self) -> tuple[bool, str]:
        """Installed, and the weights of at least one pair here."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                return False, (f"{self.stage}/{self.name}: the Python package {module!r} is not installed "
                               f"({INSTALL_HINT})")
        if any(self.can(a, b) for a in self.languages for b in self.languages if a != b):
            return True, ""
        return False, str(self.missing_weights("no language pair here"))

    def _load_pair(self, source: str, target: str):
        if (source, target) in self._pairs:
            return self._pairs[(source, target)]
        try:
            from transformers import MarianMTModel, MarianTokenizer  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: {exc} ({INSTALL_HINT})") from exc
        model_id = self.pair_model(source, target)
        local = is_local_path(model_id)
        if local and not (Path(model_id).expanduser() / "config.json").is_file():
            raise BackendUnavailable(
                f"{self.stage}/{self.name}: weights {model_id!r} for {source}→{target} not found; set "
                f"{self.model_setting()} to a folder or a pattern like Helsinki-NLP/opus-mt-{{src}}-{{tgt}}, or run "
                f"`python manage.py fetch_models --stage {self.stage}`")
        where = str(Path(model_id).expanduser()) if local else model_id
        try:
            tokenizer = MarianTokenizer.from_pretrained(where, local_files_only=local or hub_offline())
            model = MarianMTModel.from_pretrained(where, local_files_only=local or hub_offline(),
                                                  dtype=torch_dtype(self.device))
        except (OSError, ValueError, KeyError) as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: weights {model_id!r} not found "
                                     f"({first_line(exc)}); set {self.model_setting()}") from exc
        model.to(self.device).eval()
        self._pairs[(source, target)] = (tokenizer, model)
        return tokenizer, model

    # -- translating -----------------------------------------------------------------------------

    def translate(self, job: Job, options: dict, progress: ProgressCallback = no_progress) -> Translations:
        out: Translations = {}
        for number, language in enumerate(job.targets):
            known = job.known.get(language, {})
            todo = [scene for scene in job.scenes if scene.index not in known]

            def part(fraction: float, message: str = "", number=number) -> None:
                progress((number + fraction) / len(job.targets), message)

            made = dict(zip([s.index for s in todo],
                            self.translate_texts([s.text for s in todo], job.source, language, options, part)))
            out[language] = [known.get(scene.index, made.get(scene.index)) for scene in job.scenes]
        return out

    def translate_texts(self, texts: list[str], source: str, target: str, options: dict | None = None,
                        progress: ProgressCallback = no_progress) -> list[str]:
        """Each text in ``target``: its sentences translated in batches, put back in its paragraphs and lines."""
        options = self.options(options)
        # texts → paragraphs → lines → sentences, remembered so the translation keeps the layout
        layout = [[[sentence_pieces(line) for line in paragraph.split("\n") if line.strip()]
                   for paragraph in story_paragraphs(text)] for text in texts]
        flat = [s for text in layout for paragraph in text for line in paragraph for s in line]
        translated = iter(self.translate_sentences(flat, source, target, options, progress))
        return ["\n\n".join("\n".join(" ".join(next(translated) for _ in line) for line in paragraph)
                            for paragraph in text) for text in layout]

    def translate_sentences(self, sentences: list[str], source: str, target: str, options: dict | None = None,
                            progress: ProgressCallback = no_progress) -> list[str]:
        """One translation per sentence, ``batch_size`` at a time."""
        import torch  # noqa: PLC0415

        options = self.options(options)
        if not sentences:
            return []
        tokenizer, model = self._load_pair(source, target)
        size = options["batch_size"]
        # no longer than the model's positions reach (opus-mt: 512)
        length = min(options["max_length"], (getattr(model.config, "max_position_embeddings", None) or 1 << 16) - 2)
        out: list[str] = []
        for start in range(0, len(sentences), size):
            batch = sentences[start : start + size]
            encoded = tokenizer(batch, return_tensors="pt", padding=True, truncation=True,
                                max_length=length).to(model.device)
            with torch.no_grad():
                generated = model.generate(**encoded, num_beams=options["num_beams"],
                                           max_new_tokens=length, min_new_tokens=1)
            decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
            # a sentence the model gives nothing for keeps its own words: a subtitle is never blank
            out.extend(text.strip() or original for text, original in zip(decoded, batch))
            done = min(len(sentences), start + size)
            progress(done / len(sentences), Note("Переведено предложений: {done} из {total}", done=done,
                                                 total=len(sentences)))
        return out
