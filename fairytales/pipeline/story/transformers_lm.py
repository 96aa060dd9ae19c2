"""A story from a causal language model (ruGPT-3, mGPT and kin) through transformers.

The model is prompted with «Имя: {title}. Жанр: {genre}. Текст:» (``prompt_for``, the same form
``story/training.py`` fine-tunes on; in English "Title: … Genre: … Text:", in Ukrainian «Назва: … Жанр: …
Текст:», with the genre named in that language: ``story/data/lm_prompts.toml``) and sampled until the story is
long enough. ruGPT-3 writes Russian only; mGPT (``mgpt``, the same code) writes all three languages. A tale is longer than the model's context window (2048 tokens for ruGPT-3, much less for the
tiny models in the tests), so generation goes in steps over a sliding window: each step feeds the last
tokens written so far, leaving room for the new ones, and appends what comes back. The prompt only
starts the first window; it is never part of the story.

The raw text is then made to look like the other storytellers' output: cut after the last finished
sentence, split into paragraphs at the model's newlines, dialogue lines started with «— », fragments
too short to stand alone joined to their neighbours, paragraphs separated by a blank line.

The model is a folder or hub id with a config.json, or a folder holding a LoRA adapter
(``adapter_config.json``, as ``manage.py train_story --lora`` saves it): then the base model the adapter
names is loaded, the adapter applied through peft and merged into it.

torch and transformers are imported only when the model loads, so listing backends stays cheap.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from .. import genres
from ..backend import (
    SEED,
    BackendUnavailable,
    Option,
    first_line,
    hub_offline,
    is_local_path,
    torch_dtype,
    weights_present,
)
from ..notes import Note
from ..types import ProgressCallback, TaleRequest, no_progress
from . import Storyteller

with open(Path(__file__).with_name("data") / "lm_prompts.toml", "rb") as _file:
    PROMPTS: dict[str, str] = tomllib.load(_file)  # {language: prompt form}
PROMPT = PROMPTS["ru"]
ADAPTER_CONFIG = "adapter_config.json"  # a peft adapter folder (LoRA) instead of a whole model
INSTALL_HINT = "pip install -r requirements/neural.txt"
ATTEMPTS = 3  # whole generations tried before giving up on a model that writes nothing usable
TOKEN_BUDGET = 2  # at most this many new tokens per target character, all steps together
SHORT_FRAGMENT = 60  # a narration paragraph shorter than this is joined to its neighbour

# The end of a sentence: . ! ? … (repeated, as in «?!» or «...»), maybe followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"[.!?…]+[»\"”’')]*")
_DIALOGUE = re.compile(r"^[—–-]+\s*")
_QUOTED_LINE = re.compile(r"^[“\"]")  # an English line of speech opens with its quotation mark
# The prompt's labels: a model that starts a new document («Имя: … Жанр: …») must not leak them.
_PROMPT_LABEL = re.compile(r"\b(?:Имя|Жанр|Текст|Назва|Title|Genre|Text)\s*:")


class CausalLMStoryteller(Storyteller):
    name = "rugpt3"
    label = "ruGPT-3 (transformers)"
    default_model = "ai-forever/rugpt3small_based_on_gpt2"
    requires = ("torch", "transformers")
    weights_marker = "config.json"
    device_need = "gpu"
    languages = ("ru",)
    declared_options = (
        Option("temperature", 0.9, "Температура", min=0.1, max=2.0, form=True),
        Option("top_k", 50, "top_k", min=0, max=500, form=True),
        Option("top_p", 0.95, "top_p", min=0.1, max=1.0, form=True),
        Option("repetition_penalty", 1.2, "Штраф за повторы", min=1.0, max=3.0, form=True),
        Option("no_repeat_ngram_size", 3, "no_repeat_ngram_size", min=0, max=10, form=True),
        # target characters; the story is at least this long unless the model stalls
        Option("length", 2000, "Длина текста, символов", min=1, max=8000, form=True),
        replace(SEED, form=True),  # None: the request's seed
        Option("max_new_tokens_per_step", 200, "Токенов за шаг", min=16, max=1024),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model, device)
        self._tokenizer = None
        self._model = None

    # -- loading ---------------------------------------------------------------------------------

    def available(self) -> tuple[bool, str]:
        """As every backend's, and for an adapter folder: peft installed and the base model it names here."""
        folder = adapter_folder(self.model)
        if folder is None:
            return super().available()
        for module in (*self.requires, "peft"):
            if importlib.util.find_spec(module) is None:
                return False, (f"{self.stage}/{self.name}: the Python package {module!r} is not installed "
                               f"({INSTALL_HINT})")
        base = adapter_base(folder)
        if not base:
            return False, str(self.missing_weights(f"{ADAPTER_CONFIG} names no base model"))
        if not weights_present(base):
            return False, str(self.missing_weights(f"the adapter's base model {base!r} is not here"))
        return True, ""

    def load(self) -> None:
        """Tokenizer and model, once. Offline (or for a folder) nothing is fetched: a missing model fails at
        once with the one line that says how to get it, instead of retrying the hub for a minute."""
        try:
            import torch  # noqa: F401, PLC0415 - fail here, with the install hint, when torch is missing
            from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: {exc} ({INSTALL_HINT})") from exc
        adapter = adapter_folder(self.model)
        if adapter is not None:
            self._tokenizer, model = self._load_adapter(adapter)
            self._model = model.to(self.device).eval()
            return
        model_id, only_local = self.weights_source()
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_id, local_files_only=only_local)
            model = AutoModelForCausalLM.from_pretrained(
                model_id, local_files_only=only_local, dtype=torch_dtype(self.device))
        except (OSError, ValueError, KeyError) as exc:  # missing files, bad repo id, unknown architecture
            raise self.missing_weights(first_line(exc)) from exc
        model.to(self.device).eval()
        self._tokenizer, self._model = tokenizer, model

    def _load_adapter(self, folder: Path):
        """The base model the adapter names, the adapter merged into it (so generation runs at the base
        model's speed), and the tokenizer saved beside the adapter (else the base model's)."""
        try:
            from peft import PeftModel  # noqa: PLC0415
            from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(f"{self.stage}/{self.name}: {exc} ({INSTALL_HINT})") from exc
        base = adapter_base(folder)
        if not base:
            raise self.missing_weights(f"{ADAPTER_CONFIG} names no base model")
        local = is_local_path(base)
        if local and not (Path(base).expanduser() / "config.json").is_file():
            raise self.missing_weights(f"the adapter's base model {base!r} is not here")
        base_id = str(Path(base).expanduser()) if local else base
        only_local = local or hub_offline()
        has_tokenizer = (folder / "tokenizer_config.json").is_file()
        try:
            tokenizer = AutoTokenizer.from_pretrained(
                str(folder) if has_tokenizer else base_id, local_files_only=has_tokenizer or only_local)
            model = AutoModelForCausalLM.from_pretrained(
                base_id, local_files_only=only_local, dtype=torch_dtype(self.device))
            model = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
        except (OSError, ValueError, KeyError) as exc:
            raise self.missing_weights(first_line(exc)) from exc
        return tokenizer, model

    # -- writing ---------------------------------------------------------------------------------

    def write(self, request: TaleRequest, options: dict, progress: ProgressCallback = no_progress) -> str:
        self.ensure_loaded()
        import torch  # noqa: PLC0415

        options = self.options(options)
        language = getattr(request, "language", "ru")
        if language not in self.languages:
            raise ValueError(f"the {self.name} storyteller does not tell tales in {language!r} "
                             f"(it does: {', '.join(self.languages)})")
        seed = request.seed if options["seed"] is None else options["seed"]
        target = max(1, options["length"])
        torch.manual_seed(seed)  # the only randomness: same seed + same model → same text
        prompt_ids = self._tokenizer(prompt_for(request.title, request.genre, language))["input_ids"]
        for attempt in range(ATTEMPTS):
            story = tidy(cut_at_sentence_end(self._generate(prompt_ids, target, options, progress)), language)
            if story:
                progress(1.0, Note("Написано символов: {count}", count=len(story)))
                return story
            progress(0.0, Note("Ни одного законченного предложения, пробую ещё раз ({attempt} из {attempts})",
                                   attempt=attempt + 2, attempts=ATTEMPTS))
        raise RuntimeError(
            f"Модель {self.model} не написала ни одного законченного предложения за {ATTEMPTS} попытки: "
            "попробуйте другое зерно (seed), температуру или модель")

    def context_size(self) -> int:
        """How many tokens the model can attend to at once."""
        return model_context(self._model.config)

    def _generate(self, prompt_ids: list[int], target: int, options: dict, progress: ProgressCallback) -> str:
        """Raw text (prompt excluded), at least ``target`` characters up to its last sentence end, or as
        much as the token budget gave.

        Each step sees at most ``context - new`` tokens: the tail of prompt + story, so the model
        continues what it wrote last. End-of-text is suppressed: a story cut short by the model would
        come out shorter than asked.
        """
        import torch  # noqa: PLC0415

        tokenizer, model = self._tokenizer, self._model
        context = self.context_size()
        new_per_step = max(1, min(options["max_new_tokens_per_step"], context // 2))
        keep = context - new_per_step
        eos = tokenizer.eos_token_id
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
        sampling = {
            "do_sample": True,
            "temperature": max(options["temperature"], 1e-3),
            "top_k": options["top_k"],
            "top_p": options["top_p"],
            "repetition_penalty": options["repetition_penalty"],
            "no_repeat_ngram_size": options["no_repeat_ngram_size"],
            "max_new_tokens": new_per_step,
            "pad_token_id": pad,
        }
        if eos is not None:
            sampling["suppress_tokens"] = [eos]
        written: list[int] = []
        text = ""
        while len(written) < TOKEN_BUDGET * target:
            window = (prompt_ids + written)[-keep:]
            input_ids = torch.tensor([window], device=model.device)
            mask = torch.ones_like(input_ids)
            output = model.generate(input_ids=input_ids, attention_mask=mask, **sampling)
            fresh = output[0, len(window):].tolist()
            if not fresh:
                break
            written += fresh
            text = tokenizer.decode(written, skip_special_tokens=True)
            done = len(tidy(cut_at_sentence_end(text)))
            progress(min(done / target, 0.99), Note("Написано символов: {done} из {target}", done=done, target=target))
            if done >= target:
                break
        return text


class MultilingualLMStoryteller(CausalLMStoryteller):
    """The same storyteller on mGPT (61 languages, Russian, English and Ukrainian among them)."""

    name = "mgpt"
    label = "mGPT (transformers)"
    default_model = "ai-forever/mGPT"
    languages = ("ru", "en", "uk")


def prompt_for(title: str, genre: str, language: str = "ru") -> str:
    """The conditional form the model writes in and is fine-tuned on: «Имя: … Жанр: … Текст:», or its
    English or Ukrainian form with the genre named in that language."""
    if language != "ru":
        found = genres.find(genre)
        genre = found.name_in(language) if found else genre
    return PROMPTS.get(language, PROMPT).format(title=title, genre=genre)


def model_context(config) -> int:
    """How many tokens a model with this config attends to at once (GPT-2: n_positions, most others:
    max_position_embeddings)."""
    for key in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(config, key, None)
        if isinstance(value, int) and value > 0:
            return value
    return 1024


def adapter_folder(model: str | None) -> Path | None:
    """The folder when ``model`` is a local peft adapter (it holds adapter_config.json), else None."""
    if not model or not is_local_path(model):
        return None
    folder = Path(model).expanduser()
    return folder if (folder / ADAPTER_CONFIG).is_file() else None


def adapter_base(folder: Path) -> str | None:
    """The base model an adapter folder names (``base_model_name_or_path``); a relative path is taken
    from the adapter's folder."""
    try:
        base = json.loads((Path(folder) / ADAPTER_CONFIG).read_text("utf-8")).get("base_model_name_or_path")
    except (OSError, ValueError, AttributeError):
        return None
    if not base:
        return None
    if base.startswith(".") and (Path(folder) / base).exists():
        return str((Path(folder) / base).resolve())
    return base


# -- tidying the raw text ----------------------------------------------------------------------------


def cut_at_sentence_end(text: str) -> str:
    """``text`` up to its last finished sentence (with its closing quote); "" when there is none."""
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()].strip() if ends else ""


def tidy(text: str, language: str = "ru") -> str:
    """Paragraphs separated by blank lines, dialogue lines «— …» kept inside their paragraph, short
    narration fragments (a lone word, «Глава 1.») joined to a neighbour, the prompt's labels and broken
    characters dropped."""
    paragraphs: list[list[str]] = []
    for raw in text.splitlines():
        line = re.sub(r"\s+", " ", raw.replace("\ufffd", "")).strip()  # U+FFFD: a broken multi-byte char
        if not line or _PROMPT_LABEL.search(line):
            continue
        quoted = language == "en" and _QUOTED_LINE.match(line)
        if quoted or _DIALOGUE.match(line):
            if not quoted:
                line = _DIALOGUE.sub("— ", line, count=1)
            if paragraphs:
                paragraphs[-1].append(line)
            else:
                paragraphs.append([line])
            continue
        last = paragraphs[-1] if paragraphs else None
        joins = last is not None and not _DIALOGUE.match(last[-1]) and not (
            language == "en" and _QUOTED_LINE.match(last[-1]))
        if joins and (len(line) < SHORT_FRAGMENT or _is_short(last)):
            last[-1] = f"{last[-1]} {line}"
        else:
            paragraphs.append([line])
    return "\n\n".join("\n".join(lines) for lines in paragraphs if any(lines)).strip()


def _is_short(paragraph: list[str]) -> bool:
    return len(paragraph) == 1 and len(paragraph[0]) < SHORT_FRAGMENT
