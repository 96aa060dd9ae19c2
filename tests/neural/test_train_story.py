"""`train_story` on a tiny GPT-2 (a byte-level BPE tokenizer trained here, random weights) over the shared
tales: the held-out loss falls, the prompt carries no loss, and the saved folder (a whole model, or a LoRA
adapter naming its base) loads through the ruGPT-3 storyteller and writes a story for a new title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from django.core.management import call_command

from fairytales.pipeline import registry
from fairytales.pipeline.story.models import local_story_models
from fairytales.pipeline.story.training import (
    IGNORE,
    Collator,
    Tale,
    TrainingConfig,
    read_tales,
    split_heldout,
    tale_windows,
    train_story,
)
from fairytales.pipeline.story.transformers_lm import CausalLMStoryteller, prompt_for
from fairytales.pipeline.types import TaleRequest

TALES = Path(__file__).resolve().parents[3] / "shared" / "data" / "tales.jsonl"
CONTEXT = 64
FALLBACK = (
    "Жили-были дед да баба. Была у них курочка Ряба. Снесла курочка яичко, да не простое — золотое.\n"
    "— Дед, а дед! — сказала баба. — Что же нам делать?\n"
    "Дед бил, бил — не разбил. Баба била, била — не разбила. Мышка бежала, хвостиком махнула.\n"
)


@pytest.fixture(scope="module")
def tales_file(tmp_path_factory) -> Path:
    """The shared tales when they are here; else a few made-up ones in the same format."""
    if TALES.is_file():
        return TALES
    path = tmp_path_factory.mktemp("tales") / "tales.jsonl"
    rows = [{"title": f"Сказка {i}", "text": FALLBACK * (10 + i)} for i in range(8)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def few_tales(tmp_path_factory, tales_file) -> Path:
    """Six of the tales, cut short: enough for the tests that train only to see what is saved."""
    path = tmp_path_factory.mktemp("few") / "few.jsonl"
    rows = [{"title": t.title, "text": t.text[:4000]} for t in read_tales(tales_file)[:6]]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory, tales_file) -> Path:
    """A random 2-layer GPT-2 with a 64-token context and a 400-token BPE trained on the tales' text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    text = "\n".join(t.title + "\n" + t.text[:4000] for t in read_tales(tales_file))
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([*text.split("\n"), prompt_for("Колобок", "сказка")], trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>",
                                        bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=64, n_layer=2, n_head=4,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def quick(base: Path, tales_file: Path, output: Path, **overrides) -> TrainingConfig:
    settings = {"data": tales_file, "output": output, "base_model": str(base), "steps": 30, "batch_size": 8,
                "grad_accum": 1, "learning_rate": 3e-3, "warmup_steps": 0, "eval_every": 15, "save_every": 15,
                "log_every": 5, "max_eval_windows": 48, "progress_bar": False,
                "checkpoints": output.parent / f"{output.name}-checkpoints"}
    return TrainingConfig(**{**settings, **overrides})


@pytest.fixture(scope="module")
def trained(tmp_path_factory, base, tales_file):
    output = tmp_path_factory.mktemp("models") / "story" / "tiny-tales"
    lines: list[str] = []
    card = train_story(quick(base, tales_file, output), log=lines.append)
    print(json.dumps({k: card[k] for k in ("heldout_loss_before", "heldout_loss_after", "perplexity_before",
                                           "perplexity_after", "evaluations", "seconds", "data")},
                     ensure_ascii=False))
    return output, card, lines


def test_prompt_tokens_carry_no_loss(base, tales_file):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    tale = Tale("Колобок", "сказка", read_tales(tales_file)[0].text[:3000])
    windows = tale_windows(tokenizer, tale, CONTEXT)
    prompt = tokenizer(prompt_for(tale.title, tale.genre))["input_ids"]
    assert len(windows) > 2  # a long tale: several windows, each starting with the prompt
    for window in windows:
        assert len(window["input_ids"]) <= CONTEXT and window["input_ids"][: len(prompt)] == prompt
        assert window["labels"][: len(prompt)] == [IGNORE] * len(prompt)
        assert window["labels"][len(prompt) :] == window["input_ids"][len(prompt) :]
    assert windows[-1]["input_ids"][-1] == tokenizer.eos_token_id
    story = [t for w in windows for t in w["input_ids"][len(prompt) :]]
    assert tokenizer.decode(story[:40]).strip().startswith(tale.text[:10])

    batch = Collator(tokenizer.eos_token_id)([windows[0], {k: v[:30] for k, v in windows[1].items()}])
    assert batch["input_ids"].shape == batch["labels"].shape == (2, len(windows[0]["input_ids"]))
    assert (batch["labels"][:, : len(prompt)] == IGNORE).all()
    assert (batch["labels"][1, 30:] == IGNORE).all() and (batch["attention_mask"][1, 30:] == 0).all()
    # the model's loss on the batch is the mean over story tokens alone
    model = AutoModelForCausalLM.from_pretrained(base)
    with torch.no_grad():
        out = model(**batch)
    logits, labels = out.logits[:, :-1], batch["labels"][:, 1:]
    keep = labels != IGNORE
    manual = torch.nn.functional.cross_entropy(logits[keep], labels[keep])
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-4)


def test_held_out_loss_falls(trained):
    _, card, lines = trained
    assert card["heldout_loss_after"] < card["heldout_loss_before"] - 0.5, card
    assert card["perplexity_after"] < card["perplexity_before"]
    assert card["steps"] == 30 and card["method"] == "full"
    assert [e["step"] for e in card["evaluations"]] == [0, 15, 30]  # before, then every 15 steps
    assert card["data"]["heldout_tales"] >= 1 and card["data"]["heldout_titles"]
    assert any("held-out loss" in line and "perplexity" in line for line in lines)
    assert any(line.startswith("step 5/30: loss") for line in lines)


def test_saved_in_the_released_layout_with_a_card(trained, base):
    output, card, _ = trained
    names = {p.name for p in output.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "training_card.json"} <= names
    saved = json.loads((output / "training_card.json").read_text("utf-8"))
    assert saved["base_model"] == str(base.resolve()) and saved["heldout_loss_after"] == card["heldout_loss_after"]
    assert not output.with_name(output.name + ".partial").exists()


def test_the_trained_folder_writes_a_story_through_the_backend(trained):
    output, _, _ = trained
    registry._cache.clear()
    backend = registry.get("story", "rugpt3", str(output))
    assert isinstance(backend, CausalLMStoryteller) and backend.available() == (True, "")
    story = backend.write(TaleRequest("Ёжик в тумане", "сказка", seed=1), {"length": 150})
    assert len(story) >= 150 and "Имя:" not in story


def test_trained_models_are_listed_with_their_card(trained):
    output, card, _ = trained
    (output.parent / "half.partial").mkdir()
    (output.parent / "empty").mkdir()
    listed = local_story_models(output.parent)
    assert [m["name"] for m in listed] == ["tiny-tales"]
    model = listed[0]
    assert model["id"] == str(output.resolve()) and model["adapter"] is False
    assert model["card"]["heldout_loss_after"] == card["heldout_loss_after"]
    assert "tiny-tales" in model["summary"] and "→" in model["summary"]
    assert local_story_models(output.parent / "nowhere") == []


def test_lora_through_the_command_saves_an_adapter_that_loads_the_same_way(tmp_path, base, few_tales):
    output = tmp_path / "story" / "tiny-lora"
    call_command(
        "train_story", str(few_tales), "--output", str(output), "--base", str(base), "--lora", "--lora-r", "4",
        "--steps", "6", "--batch", "4", "--grad-accum", "2", "--lr", "3e-3", "--eval-every", "3",
        "--max-eval-windows", "16", "--checkpoints", str(tmp_path / "ckpt"), "--sample", "1",
        "--sample-length", "40", "--no-progress", stdout=(out := _Sink()), stderr=_Sink(),
    )
    names = {p.name for p in output.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "training_card.json",
            "samples.txt"} <= names
    assert "model.safetensors" not in names
    adapter = json.loads((output / "adapter_config.json").read_text("utf-8"))
    assert adapter["base_model_name_or_path"] == str(base.resolve())
    card = json.loads((output / "training_card.json").read_text("utf-8"))
    assert card["method"] == "lora" and card["steps"] == 6 and len(card["samples"]) == 1
    assert card["heldout_loss_after"] < card["heldout_loss_before"]
    assert "held-out loss" in out.text and card["samples"][0]["title"] in out.text

    backend = CausalLMStoryteller(model=str(output))
    assert backend.available() == (True, "")
    story = backend.write(TaleRequest("Ёжик в тумане", "сказка", seed=1), {"length": 100})
    assert len(story) >= 100
    # the adapter changed the model: the base alone writes otherwise
    plain = CausalLMStoryteller(model=str(base)).write(TaleRequest("Ёжик в тумане", "сказка", seed=1),
                                                        {"length": 100})
    assert plain != story
    assert [m["adapter"] for m in local_story_models(output.parent)] == [True]


def test_an_adapter_whose_base_is_gone_is_unavailable(tmp_path):
    folder = tmp_path / "orphan"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(tmp_path / "gone")}))
    ok, why = CausalLMStoryteller(model=str(folder)).available()
    assert not ok and "base model" in why and "\n" not in why


def test_resumes_from_its_checkpoints(tmp_path, base, few_tales):
    output = tmp_path / "resumed"
    first = quick(base, few_tales, output, steps=4, save_every=2, eval_every=4, max_eval_windows=8)
    train_story(first, log=lambda *_: None)
    assert (first.checkpoints / "checkpoint-4").is_dir()
    lines: list[str] = []
    card = train_story(quick(base, few_tales, output, steps=6, save_every=2, eval_every=4, max_eval_windows=8,
                             resume=True), log=lines.append)
    assert any(line.startswith("resuming from") and line.endswith("checkpoint-4") for line in lines)
    assert card["steps"] == 6
    assert not any(line.startswith("step 2/") for line in lines)  # the first four steps were not run again
    # without --resume the old checkpoints go, and training starts from the base model again
    train_story(quick(base, few_tales, output, steps=2, save_every=2, eval_every=2, max_eval_windows=8),
                log=lambda *_: None)
    assert sorted(p.name for p in first.checkpoints.glob("checkpoint-*")) == ["checkpoint-2"]


def test_reads_csv_with_likes_and_a_folder_of_txt(tmp_path):
    csv_file = tmp_path / "ficbook.csv"
    csv_file.write_text("title,genre,text,likes\nЛис,Фэнтези,Жил-был лис.,150\nВолк,сказка,Жил-был волк.,20\n"
                        "Ёж,,Жил-был ёж.,\n,сказка,Без названия.,500\n", encoding="utf-8")
    stats: dict = {}
    liked = read_tales(csv_file, min_likes=100, stats=stats)
    assert [(t.title, t.genre, t.likes) for t in liked] == [("Лис", "фэнтези", 150)]
    assert stats == {"read": 4, "empty": 1, "below_min_likes": 1, "no_likes": 1, "kept": 1}
    assert [t.genre for t in read_tales(csv_file)] == ["фэнтези", "сказка", "сказка"]

    folder = tmp_path / "txt"
    (folder / "more").mkdir(parents=True)
    (folder / "a.txt").write_text("\nРепка\nЖанр: Сказка\n\nПосадил дед репку.\n\nВыросла репка большая.\n",
                                  encoding="utf-8")
    (folder / "more" / "b.txt").write_text("Теремок\nСтоит в поле теремок.", encoding="utf-8")
    (folder / "empty.txt").write_text("\n\n", encoding="utf-8")
    tales = read_tales(folder, genre="басня")
    assert [(t.title, t.genre, t.text) for t in tales] == [
        ("Репка", "сказка", "Посадил дед репку.\n\nВыросла репка большая."),
        ("Теремок", "басня", "Стоит в поле теремок."),
    ]
    with pytest.raises(ValueError, match="at least two"):
        split_heldout(tales[:1], 0.1, 0)
    train, held = split_heldout(tales, 0.1, 0)
    assert len(train) == len(held) == 1
    with pytest.raises(ValueError, match="not a .jsonl"):
        read_tales(_touch(tmp_path / "tales.xml"))


def test_the_command_says_what_is_wrong_in_one_line(tmp_path, base):
    from django.core.management.base import CommandError

    data = tmp_path / "tales.jsonl"
    data.write_text(json.dumps({"title": "Один", "text": "Одна сказка."}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="at least two"):
        call_command("train_story", str(data), "--base", str(base), "--output", str(tmp_path / "x"),
                     "--no-progress", stdout=_Sink(), stderr=_Sink())
    with pytest.raises(CommandError, match="no tales with at least 100 likes"):
        call_command("train_story", str(data), "--base", str(base), "--min-likes", "100",
                     "--output", str(tmp_path / "x"), "--no-progress", stdout=_Sink(), stderr=_Sink())


def _touch(path: Path) -> Path:
    path.write_text("", encoding="utf-8")
    return path


class _Sink:
    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.parts)


@pytest.mark.django_db
def test_the_form_offers_the_trained_model_and_a_tale_records_it(trained, client, django_user_model, monkeypatch,
                                                                   settings, tmp_path):
    from fairytales.pipeline.story import models as story_models
    from fairytales.tales.models import Tale

    output, card, _ = trained
    monkeypatch.setattr(story_models, "STORY_MODELS_DIR", output.parent)
    settings.MEDIA_ROOT, settings.STORY_MODELS = tmp_path / "media", []
    client.force_login(django_user_model.objects.create_user("uchenik", password="Tri-Medvedya-3"))
    page = client.get("/tales/new/").content.decode()
    assert f'value="{output}"' in page and "tiny-tales" in page and 'value="rugpt3"' in page
    response = client.post("/tales/new/", {"title": "Колобок", "genre": "сказка", "scene_count": "3",
                                           "story_backend": "rugpt3", "story_model": str(output)})
    assert response.status_code == 302, response.context["form"].errors
    assert Tale.objects.get().choices["story"] == {"backend": "rugpt3", "model": str(output)}
