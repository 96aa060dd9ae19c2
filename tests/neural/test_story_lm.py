"""The ruGPT-3 storyteller on a tiny GPT-2 built here: a byte-level BPE tokenizer trained on a few tales and
a 2-layer model with a 64-token context, trained for a few seconds so that it writes punctuation and
newlines. Both are saved the way released weights are laid out and loaded through the backend's own code."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import pytest
import torch

from fairytales.pipeline.backend import BackendUnavailable, OptionError
from fairytales.pipeline.story.transformers_lm import CausalLMStoryteller, cut_at_sentence_end, tidy
from fairytales.pipeline.types import TaleRequest

TALES = Path(__file__).resolve().parents[3] / "shared" / "data" / "tales.jsonl"
CONTEXT = 64
LENGTH = 300
ENDS_SENTENCE = re.compile(r"[.!?…][»\"”’')]*$")

FALLBACK_TEXT = (
    "Жили-были дед да баба. Была у них курочка Ряба. Снесла курочка яичко, да не простое — золотое.\n"
    "— Дед, а дед! — сказала баба. — Что же нам делать?\n"
    "Дед бил, бил — не разбил. Баба била, била — не разбила. Мышка бежала, хвостиком махнула, "
    "яичко упало и разбилось. Дед плачет, баба плачет, а курочка кудахчет: не плачь, дед, не плачь, баба!\n"
)


def training_text() -> str:
    """A few KB of Russian tales (the shared corpus when it is there, a known tale otherwise)."""
    if TALES.is_file():
        with TALES.open(encoding="utf-8") as lines:
            return "\n".join(json.loads(line)["text"][:3000] for line in itertools.islice(lines, 5))
    return FALLBACK_TEXT * 20


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-rugpt3")
    text = training_text()
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(text.split("\n"), trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>",
                                        bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    tokenizer.save_pretrained(folder)

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=64, n_layer=2, n_head=4,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config)
    data = torch.tensor(tokenizer(text)["input_ids"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    with torch.enable_grad():  # another library may have switched gradients off for the whole process
        for _ in range(100):  # enough for the unigram statistics: it now writes «.», «,», spaces, newlines
            starts = torch.randint(0, len(data) - CONTEXT - 1, (16,))
            batch = torch.stack([data[i : i + CONTEXT] for i in starts])
            loss = model(input_ids=batch, labels=batch).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def storyteller(tiny_lm) -> CausalLMStoryteller:
    backend = CausalLMStoryteller(model=str(tiny_lm))
    backend.ensure_loaded()
    return backend


def request(seed: int = 7) -> TaleRequest:
    return TaleRequest(title="Колобок", genre="сказка", seed=seed)


def test_long_story_over_a_sliding_window(storyteller, monkeypatch):
    calls: list[tuple[int, int]] = []
    generate = storyteller._model.generate

    def spy(input_ids, **kwargs):
        calls.append((input_ids.shape[1], kwargs["max_new_tokens"]))
        return generate(input_ids=input_ids, **kwargs)

    monkeypatch.setattr(storyteller._model, "generate", spy)
    story = storyteller.write(request(), {"length": LENGTH})

    assert len(story) >= LENGTH
    assert ENDS_SENTENCE.search(story), story[-40:]
    assert "Имя:" not in story and "Жанр:" not in story and "Текст:" not in story
    assert len(storyteller._tokenizer(story)["input_ids"]) > CONTEXT  # the window had to slide
    assert len(calls) > 1
    assert all(fed + new <= CONTEXT for fed, new in calls), calls  # and every step fitted the context
    assert "\n\n\n" not in story and story == story.strip()


def test_same_seed_same_text(storyteller):
    first = storyteller.write(request(seed=3), {"length": LENGTH})
    assert storyteller.write(request(seed=3), {"length": LENGTH}) == first
    assert storyteller.write(request(seed=4), {"length": LENGTH}) != first
    # seed None means the request's seed
    assert storyteller.write(request(seed=99), {"length": LENGTH, "seed": 3}) == first


def test_progress_by_characters(storyteller):
    reports: list[tuple[float, str]] = []
    storyteller.write(request(), {"length": LENGTH}, lambda f, m="": reports.append((f, m)))
    fractions = [f for f, _ in reports]
    assert len(reports) >= 3
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "символов" in reports[0][1]


def test_unknown_option(storyteller):
    with pytest.raises(OptionError):
        storyteller.write(request(), {"lenght": 10})


def test_nothing_usable_is_a_readable_error(storyteller, monkeypatch):
    monkeypatch.setattr(storyteller, "_generate", lambda *args: "слова без конца и края")
    with pytest.raises(RuntimeError, match="не написала ни одного законченного предложения"):
        storyteller.write(request(), {"length": LENGTH})


def test_missing_folder_fails_fast_with_one_line(tmp_path):
    backend = CausalLMStoryteller(model=str(tmp_path / "nowhere"))
    assert backend.available()[0] is False
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as caught:
        backend.ensure_loaded()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message
    assert "MODEL_STORY_RUGPT3" in message and "fetch_models" in message


def test_missing_hub_model_fails_fast_offline():
    backend = CausalLMStoryteller(model="nobody-here/no-such-model")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="MODEL_STORY_RUGPT3") as caught:
        backend.ensure_loaded()
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value)


def test_available_for_a_folder(tiny_lm):
    assert CausalLMStoryteller(model=str(tiny_lm)).available() == (True, "")


def test_cut_at_sentence_end():
    assert cut_at_sentence_end("Жили-были дед да баба. Была у них кур") == "Жили-были дед да баба."
    assert cut_at_sentence_end("«Куда идёшь?» Волк мол") == "«Куда идёшь?»"
    assert cut_at_sentence_end("Ну и ну… А") == "Ну и ну…"
    assert cut_at_sentence_end("ни одной точки") == ""


def test_tidy_into_paragraphs():
    raw = (
        "Жил-был кот, и был он очень хитрый, хитрее всех котов в округе.\n"
        "- Куда идёшь? - спросила лиса.\n"
        "—Домой, — ответил кот.\n\n\n"
        "Глава 1.\n"
        "Утром   кот вышел на дорогу и пошёл куда глаза глядят, через лес и поле.\n"
        "Имя: Кот. Жанр: сказка. Текст:\n"
        "Вот и сказке конец."
    )
    assert tidy(raw) == (
        "Жил-был кот, и был он очень хитрый, хитрее всех котов в округе.\n"
        "— Куда идёшь? - спросила лиса.\n"
        "— Домой, — ответил кот.\n\n"
        "Глава 1. Утром кот вышел на дорогу и пошёл куда глаза глядят, через лес и поле. Вот и сказке конец."
    )


def test_end_of_text_does_not_cut_the_story_short(tiny_lm):
    """A model that would rather stop (here: its end-of-text logit made huge) still writes the whole length."""
    backend = CausalLMStoryteller(model=str(tiny_lm))
    backend.ensure_loaded()
    with torch.no_grad():
        embeddings = backend._model.get_output_embeddings().weight
        embeddings[backend._tokenizer.eos_token_id] *= 50
    assert len(backend.write(request(), {"length": LENGTH})) >= LENGTH
